package idle.db;

/** The repository contracts on in-memory Derby. */
class InMemoryRepositoryTest extends RepositoryContractTest {
    @Override
    DatabaseConfig newConfig() {
        return TestDatabases.freshInMemory();
    }
}
