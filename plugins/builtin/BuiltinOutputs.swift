import ExecOutput
import FramebufferOutput
import HTTPOutput
import KMSOutput
import TerminalOutput
import VitrinePluginAPI

/// The outputs that come with Vitrine: the one list the program and the tests build their registries from (a test
/// fails when a folder under plugins/ with Swift sources is missing here). Adding a built-in output is its folder,
/// its target in Package.swift, and one line here.
public enum BuiltinOutputs {
    public static let all: [any OutputPlugin.Type] = [
        TerminalOutput.self,
        FramebufferOutput.self,
        KMSOutput.self,
        HTTPOutput.self,
        ExecOutput.self,
    ]
}
