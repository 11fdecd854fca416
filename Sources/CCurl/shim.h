#pragma once
#include <curl/curl.h>

// libcurl is opened at run time (dlopen) the first time a transfer starts, not linked: loading it and
// the TLS, LDAP, SSH and IDN libraries it depends on cost ~4 ms on every start of the tool, which is
// most of the start-up of commands that never use the network (inspect, matrix, plan).
//
// Swift cannot call variadic C functions, so curl_easy_setopt and curl_easy_getinfo are called through
// one typed wrapper per value kind (as swift-corelibs-foundation does); each takes the function pointer
// that dlsym returned and makes a proper variadic call.
typedef CURLcode (*ccm_curl_setopt_fn)(CURL *, CURLoption, ...);
typedef CURLcode (*ccm_curl_getinfo_fn)(CURL *, CURLINFO, ...);

static inline CURLcode ccm_curl_setopt_long(void *fn, CURL *handle, CURLoption option, long value) {
    return ((ccm_curl_setopt_fn)fn)(handle, option, value);
}
static inline CURLcode ccm_curl_setopt_ptr(void *fn, CURL *handle, CURLoption option, void *value) {
    return ((ccm_curl_setopt_fn)fn)(handle, option, value);
}
static inline CURLcode ccm_curl_setopt_string(void *fn, CURL *handle, CURLoption option, const char *value) {
    return ((ccm_curl_setopt_fn)fn)(handle, option, value);
}
static inline CURLcode ccm_curl_setopt_off(void *fn, CURL *handle, CURLoption option, curl_off_t value) {
    return ((ccm_curl_setopt_fn)fn)(handle, option, value);
}
static inline CURLcode ccm_curl_setopt_callback(void *fn, CURL *handle, CURLoption option,
                                                size_t (*callback)(char *, size_t, size_t, void *)) {
    return ((ccm_curl_setopt_fn)fn)(handle, option, callback);
}
static inline CURLcode ccm_curl_setopt_xferinfo(void *fn, CURL *handle,
                                                int (*callback)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t)) {
    return ((ccm_curl_setopt_fn)fn)(handle, CURLOPT_XFERINFOFUNCTION, callback);
}
static inline CURLcode ccm_curl_getinfo_long(void *fn, CURL *handle, CURLINFO info, long *value) {
    return ((ccm_curl_getinfo_fn)fn)(handle, info, value);
}
static inline CURLcode ccm_curl_getinfo_string(void *fn, CURL *handle, CURLINFO info, char **value) {
    return ((ccm_curl_getinfo_fn)fn)(handle, info, value);
}
static inline CURLcode ccm_curl_getinfo_off(void *fn, CURL *handle, CURLINFO info, curl_off_t *value) {
    return ((ccm_curl_getinfo_fn)fn)(handle, info, value);
}

// Macros with casts (CURL_GLOBAL_ALL, CURLAUTH_BASIC) are not imported into Swift: expose them as functions.
static inline long ccm_curl_global_all(void) {
    return (long)CURL_GLOBAL_ALL;
}
static inline long ccm_curlauth_basic(void) {
    return (long)CURLAUTH_BASIC;
}
static inline long ccm_curl_error_size(void) {
    return (long)CURL_ERROR_SIZE;
}
