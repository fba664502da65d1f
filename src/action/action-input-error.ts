/** An input of the action is missing or malformed; nothing has been sent. */
export class ActionInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionInputError';
  }
}
