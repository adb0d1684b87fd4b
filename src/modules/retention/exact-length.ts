import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes exactly `length` bytes on, for a body whose Content-Length is already announced. A source that brings
 * more fails before the excess is written (on a kept-alive connection it would be read as the start of the next
 * response), and one that ends short fails too: either way the response is broken off, never completed wrong.
 */
export class ExactLength extends Transform {
  private passed = 0;

  constructor(private readonly length: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.passed + chunk.length > this.length) {
      callback(new Error(`the object grew while it was read: more than the ${this.length} bytes announced`));
      return;
    }
    this.passed += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.passed === this.length ? null : new Error(`the object shrank while it was read: ${this.passed} of ${this.length} bytes`));
  }
}
