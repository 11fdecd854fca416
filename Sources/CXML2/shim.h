#pragma once
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlstring.h>

// xmlFree is a global function-pointer variable, which Swift 6 treats as shared mutable state;
// calling it through a function keeps that out of Swift.
static inline void ccm_xml_free(void *pointer) { xmlFree(pointer); }
