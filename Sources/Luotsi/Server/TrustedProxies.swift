/// The proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` Luotsi believes
/// (`LUOTSI_TRUSTED_PROXIES`: addresses or CIDR ranges, separated by commas or spaces; none by
/// default). From anyone else these headers are the client's own words and are ignored: the
/// client is the TCP peer.
public struct TrustedProxies: Sendable {
    public let ranges: [AddressRange]

    public static let none = TrustedProxies(ranges: [])

    public init(ranges: [AddressRange]) { self.ranges = ranges }

    /// Parses the setting; names the first entry that is not an address or range.
    public init(parsing text: String) throws {
        var ranges: [AddressRange] = []
        for entry in text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }) {
            guard let range = AddressRange(entry) else {
                throw LuotsiError.invalid(
                    field: "LUOTSI_TRUSTED_PROXIES", reason: "\"\(entry.prefix(60))\" is not an IP address or CIDR range")
            }
            ranges.append(range)
        }
        self.ranges = ranges
    }

    public func trusts(_ address: IPAddress) -> Bool { ranges.contains { $0.contains(address) } }

    /// The client behind the proxies: the peer itself unless it is trusted; then
    /// `X-Forwarded-For` read from the right (each trusted proxy appends the address it saw),
    /// skipping trusted hops, up to the first address that is not trusted. An entry that is not
    /// an address ends the walk at the last trusted hop: something before it wrote garbage.
    /// `forwardedFor` holds every `X-Forwarded-For` header's value, in order.
    public func client(peer: IPAddress?, forwardedFor: [String]) -> IPAddress? {
        guard let peer, trusts(peer) else { return peer }
        var client = peer
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }
        for hop in hops.reversed() {
            guard let address = IPAddress(hop) else { break }
            client = address
            if !trusts(address) { break }
        }
        return client
    }
}
