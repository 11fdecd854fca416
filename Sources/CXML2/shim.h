#pragma once
// Debian's libxml2 is built with ICU, so encoding.h pulls in the system <unicode/*.h>, whose types clash
// with Foundation's bundled ICU ("'UErrorCode' has different definitions in different modules") in any
// module that sees both. Only xmlCharEncodingHandler's private fields depend on it, and they are never
// touched from Swift (handlers are used by pointer), so the ICU part is switched off for Swift's view.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlstring.h>

// xmlFree is a global function-pointer variable, which Swift 6 treats as shared mutable state;
// calling it through a function keeps that out of Swift.
static inline void ccm_xml_free(void *pointer) { xmlFree(pointer); }
