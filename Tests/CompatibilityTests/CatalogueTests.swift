import Compatibility
import Testing

/// The catalogue read from the embedded packages.yaml: what the rest of the tool asks instead of spelling ids.
@Suite("CCM package catalogue")
struct CatalogueTests {
    // (component, id, upstream source, never modified)
    @Test(arguments: [
        (CCMCatalogue.Component.database, "chocolatey-management-database", CCMCatalogue.Source.licensed, true),
        (.service, "chocolatey-management-service", .licensed, true),
        (.web, "chocolatey-management-web", .licensed, true),
        (.agent, "chocolatey-agent", .licensed, true),
        (.extension, "chocolatey.extension", .licensed, true),
        (.cli, "chocolatey", .licensed, false),
    ])
    func components(component: CCMCatalogue.Component, id: String, source: CCMCatalogue.Source, neverModified: Bool) {
        let catalogue = CCMCatalogue.standard
        #expect(catalogue.id(of: component) == id)
        #expect(catalogue.source(of: id) == source)
        #expect(catalogue.neverModifiedIDs.contains(id) == neverModified)
    }

    @Test func setsAndOrder() throws {
        let catalogue = CCMCatalogue.standard
        #expect(catalogue.serverPackageIDs == ServerRole.allCases.map(\.packageID))
        #expect(catalogue.clientIDs == ["chocolatey-agent", "chocolatey.extension", "chocolatey"])
        #expect(Set(catalogue.ccmLicensedIDs) == Set(catalogue.serverPackageIDs + ["chocolatey-agent", "chocolatey.extension"]))
        #expect(catalogue.serverRole(of: "Chocolatey-Management-Web") == .web)
        #expect(catalogue.source(of: "dotnet-8.0-runtime") == .community)
        #expect(catalogue.source(of: "not-in-the-catalogue") == .community)
        let ids = catalogue.planPackageIDs(matrix: try Matrix.embedded())
        #expect(ids == ids.sorted())
        #expect(Set(catalogue.serverPackageIDs + catalogue.clientIDs + ["dotnet-10.0-runtime"]).isSubset(of: Set(ids)))
    }
}
