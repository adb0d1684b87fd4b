import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { useCallback, useEffect, useState } from 'react';

/** The token lives for this browser tab only: closing the tab signs out. */
const TOKEN_KEY = 'modelgraph.token';

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** An error as the API words it: its message and its code (BAD_USER_INPUT, FORBIDDEN, GATE_FAILED, …). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

type Document<TData, TVars> = DocumentTypeDecoration<TData, TVars> & { toString(): string };

/** One operation over HTTP, with the pasted token: the console has no rights of its own. */
export async function gql<TData, TVars>(doc: Document<TData, TVars>, variables?: TVars): Promise<TData> {
  const token = getToken();
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: doc.toString(), variables }),
    });
  } catch {
    throw new ApiError('the registry could not be reached', 'NETWORK');
  }
  const body = (await res.json().catch(() => null)) as {
    data?: TData;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> & { code?: string } }>;
  } | null;
  if (!body) throw new ApiError(`the registry answered ${res.status} without a GraphQL body`, 'HTTP_' + res.status);
  const first = body.errors?.[0];
  if (first) {
    const { code, ...details } = first.extensions ?? {};
    if (code === 'UNAUTHENTICATED') window.dispatchEvent(new Event('modelgraph:unauthenticated'));
    throw new ApiError(first.message, String(code ?? 'UNKNOWN'), details);
  }
  return body.data as TData;
}

export interface QueryState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload(): void;
}

/** Runs a query when its variables change (compared as JSON); the last answer wins. */
export function useQuery<TData, TVars>(doc: Document<TData, TVars>, variables: TVars, skip = false): QueryState<TData> {
  const key = JSON.stringify(variables);
  const [state, setState] = useState<{ data?: TData; error?: ApiError; loading: boolean }>({ loading: !skip });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (skip) return;
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    gql(doc, JSON.parse(key) as TVars).then(
      (data) => current && setState({ data, loading: false }),
      (error: unknown) => current && setState({ error: toApiError(error), loading: false }),
    );
    return () => {
      current = false;
    };
  }, [doc, key, skip, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function toApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError(error instanceof Error ? error.message : String(error), 'UNKNOWN');
}

/**
 * Downloads an artifact through the API (the token cannot ride on a plain link), then hands it to the browser: its
 * only file, or the file `path` of a model folder.
 */
export async function downloadArtifact(versionId: string, fileName: string, path?: string): Promise<void> {
  const file = path === undefined ? '' : `/${path.split('/').map(encodeURIComponent).join('/')}`;
  await downloadWithToken(`/artifacts/${versionId}${file}`, fileName);
}

/** Fetches `url` with the token and hands the answer to the browser as the file `fileName` (the API's refusal thrown). */
export async function downloadWithToken(url: string, fileName: string): Promise<void> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${getToken() ?? ''}` } });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { errors?: Array<{ message: string; extensions?: { code?: string } }> } | null;
    const first = body?.errors?.[0];
    throw new ApiError(first?.message ?? `download failed with ${res.status}`, first?.extensions?.code ?? `HTTP_${res.status}`);
  }
  const href = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
