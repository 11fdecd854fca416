#pragma once
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlstring.h>

/// libxml2 reports errors through a variadic callback (xmlGenericErrorFunc), which Swift cannot
/// implement; this no-op keeps libxml2 from printing to stderr. Structured errors are read from
/// the parser context instead.
static inline void ccm_xml_silent_generic_error(void *ctx, const char *msg, ...) { (void)ctx; (void)msg; }

static inline void ccm_xml_silence_generic_errors(void) {
    xmlSetGenericErrorFunc(NULL, ccm_xml_silent_generic_error);
}
