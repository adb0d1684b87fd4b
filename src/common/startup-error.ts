/**
 * A reason modelgraph cannot start that the person starting it can fix (a port in use, a folder the
 * database cannot reach, a bad setting): printed as one line, with a non-zero exit, not as a stack.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}
