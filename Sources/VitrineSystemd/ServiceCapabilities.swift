import CSystemd

/// The capabilities the unit gives the daemon (`AmbientCapabilities=CAP_SYS_TTY_CONFIG`) are the daemon's alone.
public enum ServiceCapabilities {
    /// Keeps them in this process and out of every program it starts (exec plugins): ambient capabilities pass
    /// through execve, and a plugin has no business switching consoles. A no-op when there are none. Capabilities
    /// are a thread's: call it first thing, before any other thread is started (threads take their creator's).
    public static func keepForThisProcessOnly() {
        _ = vitrine_clear_ambient_capabilities()
    }
}
