/** The API gateway's error body, `{ statusCode, message }` (401, 429, unknown routes; reference section 3.3). */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'GatewayError';
  }

  toBody(): { statusCode: number; message: string } {
    return { statusCode: this.status, message: this.message };
  }
}
