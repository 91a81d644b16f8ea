/* Argument readers shared by the exported functions: each returns 0 and throws a
 * JS TypeError/RangeError when the argument does not have the expected shape. */
#ifndef RELAIS_NAPI_ARGS_H
#define RELAIS_NAPI_ARGS_H

#include <stddef.h>
#include <stdint.h>
#include <node_api.h>

#define MAX_ARGS 8

int arg_u32(napi_env env, napi_value v, uint32_t *out, const char *name);
int arg_i32(napi_env env, napi_value v, int32_t *out, const char *name);
int arg_bool(napi_env env, napi_value v, int *out, const char *name);
int arg_bytes(napi_env env, napi_value v, uint8_t **data, size_t *length, const char *name);
int arg_int32_array(napi_env env, napi_value v, int32_t **data, size_t *length, const char *name);
/* Checks offset + length + extra <= total and throws RangeError otherwise. */
int check_region(napi_env env, size_t total, uint32_t offset, uint32_t length, size_t extra);
napi_value make_i64(napi_env env, int64_t v);

#endif
