// One HTTPS request with explicit TLS material: the harness's probes (apiserver /readyz, webhook
// /readyz) and raw REST calls that must see exactly what the server answered.
import { request } from 'node:https';

export interface HttpsRequestOptions {
  url: string;
  method?: string;
  /** PEM of the CA that signed the server's certificate. */
  ca: string;
  /** PEM client certificate and key (mTLS). */
  cert?: string;
  key?: string;
  body?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface HttpsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export function httpsRequest(options: HttpsRequestOptions): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      options.url,
      {
        method: options.method ?? 'GET',
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        headers: options.headers,
        timeout: options.timeoutMs ?? 5000,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${options.method ?? 'GET'} ${options.url} timed out`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
