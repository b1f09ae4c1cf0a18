// Raw REST calls to the apiserver with the admin certificate: what the apiserver stored or
// answered, byte for byte, without a client library's models in between (those drop unknown
// fields and re-shape values). Tests assert on these.
import { httpsRequest } from './https-request.js';
import type { PemFiles } from './pki.js';

export interface KubeResponse<T = unknown> {
  status: number;
  body: T;
  text: string;
  /** The apiserver's own headers (Warning carries admission warnings). */
  headers: Record<string, string | string[] | undefined>;
}

/** A Kubernetes Status (the body of every error answer). */
export interface KubeStatus {
  kind: 'Status';
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
}

export class KubeRest {
  constructor(
    readonly server: string,
    private readonly ca: string,
    private readonly client: Pick<PemFiles, 'cert' | 'key'>,
  ) {}

  async request<T = unknown>(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<KubeResponse<T>> {
    const response = await httpsRequest({
      url: `${this.server}${path}`,
      method,
      ca: this.ca,
      cert: this.client.cert,
      key: this.client.key,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      timeoutMs,
    });
    let parsed: unknown = undefined;
    try {
      parsed = response.text === '' ? undefined : JSON.parse(response.text);
    } catch {
      parsed = response.text;
    }
    return { status: response.status, body: parsed as T, text: response.text, headers: response.headers };
  }

  get<T = unknown>(path: string): Promise<KubeResponse<T>> {
    return this.request<T>('GET', path);
  }

  post<T = unknown>(path: string, body: unknown): Promise<KubeResponse<T>> {
    return this.request<T>('POST', path, body);
  }

  delete<T = unknown>(path: string): Promise<KubeResponse<T>> {
    return this.request<T>('DELETE', path);
  }
}
