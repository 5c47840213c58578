import Foundation
import Postgres
import Testing

@testable import Luotsi

/// Issue 16: second-factor keys are sealed at rest with a key from `LUOTSI_SECRET_KEY_FILE`.
@Suite("Second-factor keys sealed at rest")
struct SecretKeysTests {
    static func keyFile(_ lines: [String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("luotsi-key-\(UUID().uuidString)").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func newKey() -> String { Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString() }

    @Test("sealed for one account, opened only for it; the first key seals, every key opens; plain text from before is read")
    func sealing() throws {
        let (old, new) = (Self.newKey(), Self.newKey())
        let before = try SecretKeys(file: try Self.keyFile([old]))
        let owner = UUID()
        let sealed = try before.seal("JBSWY3DPEHPK3PXP", owner: owner)
        #expect(sealed.hasPrefix("v1:") && !sealed.contains("JBSWY3DPEHPK3PXP"))
        #expect(try before.open(sealed, owner: owner) == "JBSWY3DPEHPK3PXP")
        #expect(throws: LuotsiError.self) { try before.open(sealed, owner: UUID()) }  // copied onto another account
        // Rotation: the new key first, the old one still read.
        let rotated = try SecretKeys(file: try Self.keyFile(["# current", new, old + "  # retiring"]))
        #expect(try rotated.open(sealed, owner: owner) == "JBSWY3DPEHPK3PXP")
        #expect(rotated.needsResealing(sealed) && !before.needsResealing(sealed))
        #expect(!rotated.needsResealing(try rotated.seal("x", owner: owner)))
        // Without the old key the value cannot be read: a clear 503, not a wrong code.
        let onlyNew = try SecretKeys(file: try Self.keyFile([new]))
        #expect(throws: LuotsiError.self) { try onlyNew.open(sealed, owner: owner) }
        // A key from an earlier release, stored as it was, is read (and re-sealed at start-up).
        #expect(try onlyNew.open("JBSWY3DPEHPK3PXP", owner: owner) == "JBSWY3DPEHPK3PXP")
        #expect(onlyNew.needsResealing("JBSWY3DPEHPK3PXP"))
        // Without keys nothing is sealed.
        #expect(throws: LuotsiError.self) { try SecretKeys.none.seal("x", owner: owner) }
        // A bad file names its line.
        let bad = try Self.keyFile([new, "short"])
        #expect(
            throws: LuotsiError.invalid(
                field: "LUOTSI_SECRET_KEY_FILE", reason: "line 2 of \(bad) is not 32 bytes in base64 (openssl rand -base64 32)")
        ) {
            _ = try SecretKeys(file: bad)
        }
    }

    @Test("start-up refuses without a key when a second factor exists, and seals keys an earlier release stored in plain text")
    func startUp() async throws {
        try await APITestWorld.with { world, client in
            let lead = world.a.users[.lead]!
            // An earlier release's plain key, listed as tenant migration 008 lists it.
            try await world.services.tenants.withTenant(world.a.organisation.schema) {
                try await $0.query("UPDATE users SET totp_secret = 'JBSWY3DPEHPK3PXP' WHERE id = \(lead.id)")
            }
            let platform = world.services.migrator.platformSchema
            try await world.services.pool.query(
                "INSERT INTO \(schema: platform).second_factor_accounts VALUES (\(world.a.organisation.schema.rawValue), \(lead.id))")
            await #expect(throws: LuotsiError.self) { try await SecondFactorSealing(services: world.services, keys: .none).run() }
            let report = try await SecondFactorSealing(services: world.services, keys: TestSupport.secretKeys).run()
            #expect(report.accounts == 1 && report.resealed == 1 && report.forgotten == 0)
            let stored: String = try await world.services.tenants.withTenant(world.a.organisation.schema) {
                try await $0.query("SELECT totp_secret FROM users WHERE id = \(lead.id)").one().decode("totp_secret")
            }
            #expect(stored.hasPrefix("v1:"))
            // The person signs in with a code from the same key as before.
            let body: [String: Any] = [
                "organisation": world.a.slug, "email": lead.email, "password": APITestWorld.password,
                "code": SecondFactorTests.code("JBSWY3DPEHPK3PXP"),
            ]
            #expect(try await client.call(.post, "/api/v1/auth/login", json: body).status == .ok)
            // Once the key is gone, the listing is forgotten at the next start-up.
            try await world.services.tenants.withTenant(world.a.organisation.schema) {
                try await $0.query("UPDATE users SET totp_secret = NULL WHERE id = \(lead.id)")
            }
            let later = try await SecondFactorSealing(services: world.services, keys: TestSupport.secretKeys).run()
            #expect(later.forgotten == 1)
            #expect(try await SecondFactorSealing(services: world.services, keys: .none).run().accounts == 0)
        }
    }
}
