import Foundation
import RemoteHosts
import Testing

@Suite struct HostAddressTests {
    @Test func addressesRoundTripThroughJSON() throws {
        for address in [HostAddress.local, .ssh(destination: "admin@ccm-web", port: 2222, shell: .powershell)] {
            let data = try JSONEncoder().encode(address)
            #expect(try JSONDecoder().decode(HostAddress.self, from: data) == address)
        }
    }
}
