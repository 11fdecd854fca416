import Diagnostics
import Compatibility

extension Inventory {
    /// Reads an inventory for `plan` and `run`: the one reader (``Inventory/load(path:catalogue:)``) plus
    /// what a plan needs beyond a check, hosts to run the server steps on.
    public static func loadForPlan(path: String) throws(PlanningError) -> Inventory {
        let inventory: Inventory
        do { inventory = try load(path: path) } catch { throw .invalidInventory(error) }
        guard !inventory.hosts.isEmpty else {
            throw .invalidInventory(InventoryError(diagnostics: [MatrixError.missingField(
                file: path, line: 1, field: "hosts",
                expected: "the CCM hosts, each with name, roles (database, service, web) and packages; a plan runs its server steps on them").diagnostic(.error)]))
        }
        return inventory
    }
}
