#pragma once
#include <archive.h>
#include <archive_entry.h>

// AE_IF* are cast macros Swift cannot import; expose them as constants.
static const unsigned int ccm_ae_ifreg = AE_IFREG;
static const unsigned int ccm_ae_ifdir = AE_IFDIR;
static const unsigned int ccm_ae_iflnk = AE_IFLNK;
