/** The part of seek-bzip (pure-JS bzip2 decoder, no types of its own) that Nomia uses. */
declare module 'seek-bzip' {
  /** A sink for decoded bytes, called once per byte. */
  interface ByteSink {
    writeByte(byte: number): void;
  }
  interface Bunzip {
    /**
     * Decode `input` whole. Without `output`, returns the decoded bytes; with a sink, writes to it.
     * `multistream` continues past the first bzip2 stream (as `bzip2 -d` does for concatenated files).
     * Throws an Error (with a message naming the fault) on corrupt data.
     */
    decode(input: Uint8Array, output?: ByteSink, multistream?: boolean): Buffer;
  }
  const bunzip: Bunzip;
  export default bunzip;
}
