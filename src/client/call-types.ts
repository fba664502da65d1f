/**
 * The types of the typed calls (`client.GET(path, init)` and the others): the path is checked against the spec, and
 * so are `params`, `body` and the data returned. The init argument accepts exactly what the client honours
 * (`params`, `body`, `headers`, `parseAs`, `signal`, `timeoutMs`). The rest of
 * openapi-fetch's per-call options (`fetch`, `baseUrl`, `middleware`, `querySerializer`, `bodySerializer`, and
 * `RequestInit`'s `cache`, `credentials`...) would compile and then do nothing, so they do not compile.
 */
import type { FetchResponse, HeadersOptions, ParamsOption, ParseAs, RequestBodyOption } from 'openapi-fetch';
import type { FilterKeys, HttpMethod, PathsWithMethod, RequiredKeysOf } from 'openapi-typescript-helpers';
import type { paths } from '../../generated/hdc.js';
import type { HdcError } from './errors/hdc-error.js';

/** What a typed call reads from its init argument, for the operation `Operation`. */
export type HdcCallInit<Operation> = ParamsOption<Operation> &
  RequestBodyOption<Operation> & {
    /** Headers for this call only. The client's own (authorization, `MS-CorrelationId`, `MS-RequestId`, `User-Agent`) are set over them. */
    headers?: HeadersOptions;
    /**
     * How a successful body is read: `json` (parsed losslessly: int64 IDs as exact digit strings), `text`, `blob`,
     * `arrayBuffer`, or `stream` (the body as it arrives).
     * @default "json"
     */
    parseAs?: ParseAs;
    /** Cancels the call, its retries and their waits; the call then rejects with the signal's reason. */
    signal?: AbortSignal;
    /** This call's per-attempt timeout in milliseconds, overriding the client's `timeoutMs` (a create may take minutes). */
    timeoutMs?: number;
  };

/** The init argument of a typed call on `Path`, optional when the operation requires nothing in it. */
export type MaybeOptionalCallInit<Params, Location extends keyof Params> =
  RequiredKeysOf<HdcCallInit<FilterKeys<Params, Location>>> extends never
    ? HdcCallInit<FilterKeys<Params, Location>> | undefined
    : HdcCallInit<FilterKeys<Params, Location>>;

/** The keys {@link HdcCallInit} allows; any other key of an init is an error. */
export type CallInitKey = 'params' | 'body' | 'headers' | 'parseAs' | 'signal' | 'timeoutMs';

/**
 * The init parameter: optional when nothing in it is required, and no key outside {@link HdcCallInit}. `Init` is
 * inferred from the argument (so that `parseAs` types the data), and an inferred type takes extra keys silently;
 * mapping them to `never` is what makes `{ fetch }` an error.
 */
export type InitParam<Init> =
  RequiredKeysOf<Init> extends never
    ? [(Init & { [Key in Exclude<keyof Init, CallInitKey>]: never })?]
    : [Init & { [Key in Exclude<keyof Init, CallInitKey>]: never }];

/** openapi-fetch's result with `error` replaced by the mapped {@link HdcError}. */
export type HdcFetchResponse<R> =
  | { data: SuccessData<R>; error?: never; response: Response }
  | { data?: never; error: HdcError; response: Response };

export type SuccessData<R> = R extends { data: infer D; error?: never } ? D : never;

/** A typed call: the path is checked against the spec, and so are params, body and the returned data. */
export type HdcClientMethod<Method extends HttpMethod> = <
  Path extends PathsWithMethod<paths, Method>,
  Init extends MaybeOptionalCallInit<paths[Path], Method>,
>(
  url: Path,
  ...init: InitParam<Init>
) => Promise<HdcFetchResponse<FetchResponse<NonNullable<paths[Path][Method]>, Init, `${string}/${string}`>>>;
