import type { Principal } from './role';

/** Who asked and under which request id: what services record on every audit event. */
export interface Caller extends Principal {
  requestId: string;
  /** The id the client sent with the request, if any: recorded beside the server's. */
  clientRequestId?: string | null;
}
