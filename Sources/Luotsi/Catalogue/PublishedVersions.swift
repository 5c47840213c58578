import Synchronization

/// The published catalogue versions this instance has read, by version. A published version can
/// be neither changed nor removed, so an entry never goes stale; there are a handful of versions
/// (one per revision of the national strategy), each some hundreds of kilobytes at most.
final class PublishedVersions: Sendable {
    private let versions = Mutex<[Int: CatalogueRepository.StoredVersion]>([:])

    subscript(version: Int) -> CatalogueRepository.StoredVersion? {
        get { versions.withLock { $0[version] } }
        set { versions.withLock { $0[version] = newValue } }
    }
}
