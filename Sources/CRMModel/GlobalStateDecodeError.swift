/// A stored global model (``CRMEngine/globalKeys``) that does not decode, named: the underlying
/// ``BinaryDecodeError`` says where in the blob, this says which blob.
public struct GlobalStateDecodeError: Error, CustomStringConvertible {
    /// The blob's key, e.g. `segments`.
    public var key: String
    /// Its length.
    public var byteCount: Int
    /// Why it does not decode.
    public var underlying: any Error

    public var description: String { "global state '\(key)' (\(byteCount) bytes): \(underlying)" }
}
