/* When did the kernel receive the datagram just read from a socket? Transport-cc feedback
 * reports arrival times to the sender's congestion controller; a media worker busy for 20 ms
 * (a DTLS handshake, a garbage collection) would otherwise stamp the datagrams queued
 * meanwhile as arriving together, and a sender's probe would look infinitely fast (libwebrtc
 * rejects such probes and ramps up slowly). SIOCGSTAMPNS gives the receive time of the last
 * datagram read on the socket: libuv reads one datagram per recvmsg(2) and Node emits it before
 * the next read, so asked from the 'message' handler it is that datagram's. */
#ifdef __linux__
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <time.h>

#include "napi_args.h"
#include "rx_timestamp.h"

/* rxAgeUs(fd): microseconds since the kernel received the datagram last read on `fd`
 * (0 if the clock says it is in the future), or -1 when the socket has no timestamp yet
 * (the first call enables timestamping). */
napi_value rx_age_us(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  struct timespec received, now;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || !arg_i32(env, argv[0], &fd, "fd")) return NULL;
  if (fd < 0 || ioctl(fd, SIOCGSTAMPNS, &received) != 0 || clock_gettime(CLOCK_REALTIME, &now) != 0) return make_i64(env, -1);
  int64_t age = (int64_t)(now.tv_sec - received.tv_sec) * 1000000 + (now.tv_nsec - received.tv_nsec) / 1000;
  return make_i64(env, age < 0 ? 0 : age);
}
#endif /* __linux__ */
