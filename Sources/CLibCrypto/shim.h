#pragma once
#include <openssl/evp.h>
#include <openssl/err.h>

// libcrypto (OpenSSL 3) is opened at run time (dlopen) the first time a large input is hashed, not linked:
// it is the fastest SHA-512 on x86-64 (AVX2; ~2x BoringSSL's as vendored by swift-crypto), but loading and
// initializing it costs ~1.7 ms, more than hashing a small package with swift-crypto.
//
// The function-pointer types below are taken from the declarations with __typeof__, so the casts of the
// pointers dlsym returns are checked against OpenSSL's own headers rather than written out by hand.
typedef __typeof__(&EVP_MD_fetch) ccm_evp_md_fetch_fn;
typedef __typeof__(&EVP_MD_CTX_new) ccm_evp_md_ctx_new_fn;
typedef __typeof__(&EVP_MD_CTX_free) ccm_evp_md_ctx_free_fn;
typedef __typeof__(&EVP_DigestInit_ex) ccm_evp_digest_init_fn;
typedef __typeof__(&EVP_DigestUpdate) ccm_evp_digest_update_fn;
typedef __typeof__(&EVP_DigestFinal_ex) ccm_evp_digest_final_fn;
typedef __typeof__(&ERR_get_error) ccm_err_get_error_fn;
typedef __typeof__(&ERR_error_string_n) ccm_err_error_string_n_fn;
