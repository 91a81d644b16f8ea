#ifndef RELAIS_SRTP_NAPI_H
#define RELAIS_SRTP_NAPI_H

#include <node_api.h>

napi_value srtp_create_context(napi_env env, napi_callback_info info);
napi_value srtp_protect_rtp(napi_env env, napi_callback_info info);
napi_value srtp_unprotect_rtp(napi_env env, napi_callback_info info);
napi_value srtp_protect_rtcp(napi_env env, napi_callback_info info);
napi_value srtp_unprotect_rtcp(napi_env env, napi_callback_info info);

#endif
