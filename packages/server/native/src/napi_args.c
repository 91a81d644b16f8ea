#include "napi_args.h"

#include <stdio.h>

static int fail(napi_env env, const char *name, const char *what) {
  char message[128];
  snprintf(message, sizeof message, "%s must be %s", name, what);
  napi_throw_type_error(env, NULL, message);
  return 0;
}

int arg_u32(napi_env env, napi_value v, uint32_t *out, const char *name) {
  return napi_get_value_uint32(env, v, out) == napi_ok ? 1 : fail(env, name, "a number");
}

int arg_i32(napi_env env, napi_value v, int32_t *out, const char *name) {
  return napi_get_value_int32(env, v, out) == napi_ok ? 1 : fail(env, name, "a number");
}

int arg_bool(napi_env env, napi_value v, int *out, const char *name) {
  bool b;
  if (napi_get_value_bool(env, v, &b) != napi_ok) return fail(env, name, "a boolean");
  *out = b ? 1 : 0;
  return 1;
}

int arg_bytes(napi_env env, napi_value v, uint8_t **data, size_t *length, const char *name) {
  napi_typedarray_type type;
  napi_value array_buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, (void **)data, &array_buffer, &offset) != napi_ok || type != napi_uint8_array) {
    return fail(env, name, "a Buffer or Uint8Array");
  }
  if (*data == NULL) *length = 0;
  return 1;
}

int arg_int32_array(napi_env env, napi_value v, int32_t **data, size_t *length, const char *name) {
  napi_typedarray_type type;
  napi_value array_buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, (void **)data, &array_buffer, &offset) != napi_ok || type != napi_int32_array) {
    return fail(env, name, "an Int32Array");
  }
  return 1;
}

int check_region(napi_env env, size_t total, uint32_t offset, uint32_t length, size_t extra) {
  if ((uint64_t)offset + length + extra > total) {
    napi_throw_range_error(env, NULL, "packet region (offset + length + overhead) exceeds the buffer");
    return 0;
  }
  return 1;
}

napi_value make_i64(napi_env env, int64_t v) {
  napi_value out;
  napi_create_int64(env, v, &out);
  return out;
}
