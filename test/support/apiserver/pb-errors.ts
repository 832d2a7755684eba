/** A protobuf body (or a stored object) this double cannot represent faithfully: refused, or served as JSON. */
export class NotRepresentable extends Error {}
