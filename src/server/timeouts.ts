// How long the HTTPS server waits for a client, chosen against the one client that matters:
// kube-apiserver's webhook client (k8s.io/apiserver pkg/util/webhook + client-go transport, v1.34).
// It speaks HTTP/1.1 to a Service, with Go's http.Transport defaults: a 10 s TLS handshake
// timeout and a 90 s IdleConnTimeout for kept-alive connections. Each call carries a deadline of
// the webhook's timeoutSeconds (1 to 30, default 10) and is written in one go: headers and body
// arrive together, a few milliseconds after the connection is ready.
//
// The danger on one side is a slow sender holding sockets and buffered bodies; on the other, us
// closing a connection the apiserver is about to reuse. A POST that the server cut while it was
// being written is not retried by Go's transport (a POST is not replayable, and a fresh connection
// is never retried at all): the admission fails with "failed calling webhook ... EOF", and with
// failurePolicy Fail so does the pod. Node's default keepAliveTimeout (5 s) and fastify's (72 s)
// are both shorter than Go's 90 s, so they cause exactly that race. Hence:
//
// - No socket is closed for being idle before 100 s, whether it is idle after an answer
//   (keepAliveTimeout) or idle since it was opened (headersTimeout, which Node also applies to a
//   connection that has not sent a byte yet; Go parks connections it dialled but did not need in its
//   idle pool, where they too wait up to 90 s). So kube-apiserver always closes first.
//   Node cannot tell "nothing sent yet" from "headers half sent", so a slow header is also cut at
//   100 s: it holds at most one socket and 16 KiB of headers, no more than an idle connection does.
// - Once the headers are in, the body and the answer get 30 s (body-deadline.ts; not fastify's
//   handlerTimeout, which costs an AbortController and a DOMException per request): the
//   apiserver has given up on any call by then, whatever its timeoutSeconds. This bounds what a
//   slow body holds (up to server.bodyLimitBytes buffered) and answers 408 in our error shape.
// - The TLS handshake gets 10 s, the apiserver's own TLSHandshakeTimeout.
// - Node checks the header and request deadlines on an interval (30 s by default, which would
//   let a slow sender overstay by that much); once a second is cheap and keeps the bounds tight.
//
// Constants, not configuration: they follow from the client, and kube-apiserver's are not tunable
// either. A proxy between the apiserver and this server with a longer idle timeout than 100 s
// would be the reason to make keepAliveMs configurable.

export interface ServerTimeouts {
  /** TLS handshake (tls.Server handshakeTimeout). */
  handshakeMs: number;
  /** From the first byte of a request (or the connection's start) to the end of its headers. */
  headersMs: number;
  /** From the end of the headers to the answer: the body and the decision. */
  bodyMs: number;
  /** An idle kept-alive connection after an answer, and any socket without activity. */
  keepAliveMs: number;
  /** How often Node checks the header deadline. */
  checkEveryMs: number;
}

export const SERVER_TIMEOUTS: Readonly<ServerTimeouts> = Object.freeze({
  handshakeMs: 10_000,
  headersMs: 100_000,
  bodyMs: 30_000,
  keepAliveMs: 100_000,
  checkEveryMs: 1_000,
});

/** The options for node:https and fastify that implement one set of timeouts. */
export function timeoutOptions(timeouts: ServerTimeouts): {
  https: { handshakeTimeout: number; headersTimeout: number; requestTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number };
  fastify: { requestTimeout: number; keepAliveTimeout: number; connectionTimeout: number };
} {
  // Node's whole-request deadline must be at least the header deadline; it is only a backstop
  // here (the body deadline is body-deadline.ts's, counted from the end of the headers).
  const requestMs = timeouts.headersMs + timeouts.bodyMs;
  return {
    https: {
      handshakeTimeout: timeouts.handshakeMs,
      headersTimeout: timeouts.headersMs,
      requestTimeout: requestMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      connectionsCheckingInterval: timeouts.checkEveryMs,
    },
    // fastify sets these on the server after creating it (its own defaults would undo the above).
    fastify: {
      requestTimeout: requestMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      // Socket inactivity (server.timeout): also covers an answer the client never reads.
      connectionTimeout: timeouts.keepAliveMs,
    },
  };
}
