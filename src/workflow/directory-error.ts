/** Why a folder cannot be used, in words a user can act on, with the system's code (`ENOTDIR`, `EACCES`...). */
export class DirectoryError extends Error {
  override name = 'DirectoryError';
  readonly code: string;
  readonly path: string;

  constructor(message: string, code: string, path: string) {
    super(message);
    this.code = code;
    this.path = path;
  }
}
