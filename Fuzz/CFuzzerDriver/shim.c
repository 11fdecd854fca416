// SwiftPM needs one source file per C target; this target exists only for its header.
#include "CFuzzerDriver.h"
