internal import CXML2
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// libxml2 parser contexts kept for reuse (`xmlCtxtResetPush` resets them): creating one (dictionary, SAX
/// handler, stacks) cost about as much as parsing a small nuspec when a folder of packages is read.
///
/// One context per thread, not a shared pool: a context carries buffers malloc'd by the thread that used
/// it, and handing it to another thread made glibc free them across arenas, where the two `inspect`
/// workers then waited on each other's arena locks (hundreds of futex waits per folder).
final class ContextPool: Sendable {
    static let shared = ContextPool()

    /// A context and how many documents it has parsed.
    struct Lease: @unchecked Sendable {
        let context: xmlParserCtxtPtr
        let uses: Int
    }

    /// A context's dictionary keeps every name it interned: contexts are retired after this many documents.
    private static let maxUses = 512

    #if os(Windows)
    private let free = Mutex<[Lease]>([])

    func take() -> Lease? {
        if let lease = free.withLock({ $0.popLast() }) { return Lease(context: lease.context, uses: lease.uses + 1) }
        return xmlNewParserCtxt().map { Lease(context: $0, uses: 1) }
    }

    func give(_ lease: Lease) {
        let kept = lease.uses < Self.maxUses && free.withLock { pool in
            guard pool.count < 8 else { return false }
            pool.append(lease)
            return true
        }
        if !kept { xmlFreeParserCtxt(lease.context) }
    }
    #else
    /// The thread's idle context, boxed for thread-local storage; freed if the thread ends holding it.
    private final class Slot {
        var lease: Lease?
        init(_ lease: Lease) { self.lease = lease }
        deinit { if let lease { xmlFreeParserCtxt(lease.context) } }
    }

    private let key: pthread_key_t = {
        var key = pthread_key_t()
        #if canImport(Darwin)
        pthread_key_create(&key) { raw in Unmanaged<Slot>.fromOpaque(raw).release() }
        #else
        pthread_key_create(&key) { raw in
            if let raw { Unmanaged<Slot>.fromOpaque(raw).release() }
        }
        #endif
        return key
    }()

    func take() -> Lease? {
        if let raw = pthread_getspecific(key) {
            pthread_setspecific(key, nil)
            let slot = Unmanaged<Slot>.fromOpaque(raw).takeRetainedValue()
            if let lease = slot.lease {
                slot.lease = nil
                return Lease(context: lease.context, uses: lease.uses + 1)
            }
        }
        return xmlNewParserCtxt().map { Lease(context: $0, uses: 1) }
    }

    func give(_ lease: Lease) {
        guard lease.uses < Self.maxUses, pthread_getspecific(key) == nil else {
            xmlFreeParserCtxt(lease.context)
            return
        }
        pthread_setspecific(key, Unmanaged.passRetained(Slot(lease)).toOpaque())
    }
    #endif
}
