import Foundation
import VitrineCore
import VitrinePluginAPI

/// vitrine.yaml(5): the configuration's keys as a manual page (man(7) macros), written from the declarations the
/// configuration is checked against (`KeyTables`), as the docs' tables are: a key added to a reader is in the next
/// manual without anyone writing it twice.
struct ConfigurationManual {
    var tables: KeyTables
    /// The date the page carries (YYYY-MM-DD): the commit's, so two builds of one commit make the same page.
    var date: String

    var text: String {
        var out = """
        .\\" Written by `vitrine reference --manual` from the declarations `vitrine check` reads the file with.
        .TH VITRINE.YAML 5 "\(date)" "Vitrine" "File Formats Manual"
        .SH NAME
        vitrine.yaml \\- the screens, playlists, opening hours and themes of a Vitrine installation
        .SH SYNOPSIS
        .I /etc/vitrine/vitrine.yaml
        .SH DESCRIPTION
        One YAML file describes what every screen of a venue shows and when: the screens (outputs), the playlists of
        exhibits they show, the opening hours, the themes and their rotation, timed announcements and the HTTP
        listener. The exhibits themselves are folders in the content folder (see
        .IR /usr/share/doc/vitrine/ ).
        .PP
        Check a file with
        .BR "vitrine check \\-\\-config " \\fIFILE\\fR:
        exit status 0 when it is valid (warnings allowed), 1 when it is not. Every problem is reported as
        .IR FILE : LINE : COLUMN ": error: " KEY.PATH ": " message .
        Unknown keys are errors (with a suggestion when a known key is close), as are duplicate keys and names of
        playlists, themes, screens and exhibits that do not exist. The running daemon reads the file again on
        .B systemctl reload vitrine
        (or when it changes); a file with errors is refused and the screens keep the program they show.
        .PP
        Durations are written 600ms, 30s, 2m, 1h30m or 1d (a bare number is seconds). Dates are YYYY\\-MM\\-DD,
        times of day HH:MM (24-hour), date-times 2026\\-12\\-24T17:45 in venue time. Colours are #RRGGBB.
        .PP
        Each key below is given with what it holds and, in brackets, its default.

        """
        out += ".SH KEYS\n"
        for table in tables.tables where table.part == .configuration {
            out += Self.section(table.name, table.about, table.keys)
            // Opening hours are days, not declared keys (ConfigurationSections reads them).
            if table.name == "configuration" { out += Self.hours }
        }
        out += ".SH OUTPUTS\nThe keys a screen takes besides those above depend on its\n.BR output .\n"
        for table in tables.tables where table.part == .output {
            out += Self.section(table.name, table.about, table.keys)
        }
        out += """
        .SH FILES
        .TP
        .I /etc/vitrine/vitrine.yaml
        The configuration (a conffile: an upgrade keeps the edited file).
        .TP
        .I /srv/vitrine/exhibits
        The content folder the installed configuration names.
        .TP
        .I /usr/share/doc/vitrine/vitrine.yaml.example
        The configuration as installed, annotated.
        .TP
        .I /usr/share/doc/vitrine/configuration.md
        The same keys with longer explanations and examples.
        .SH SEE ALSO
        .BR vitrine (1)

        """
        return out
    }

    private static let hours = """
        .SS hours
        Keys are the days, monday to sunday, and every\\-day (the days not listed); each value is closed, a range
        HH:MM\\-HH:MM or a list of ranges. A range whose end is not after its start runs past midnight;
        00:00\\-24:00 is the whole day. Once hours names any day, days not listed (and not covered by every\\-day) are
        closed. A date under closed stops the ranges that start on that day.

        """

    private static func section(_ heading: String, _ text: String, _ keys: [OptionSpec]) -> String {
        var out = ".SS \(roff(heading))\n"
        if !text.isEmpty { out += roff(text) + "\n" }
        for key in keys {
            let fallback: String = switch key.fallback {
            case .none: ""
            case .required: " [required]"
            case let .value(text): " [\(text)]"
            case let .described(text): " [\(text)]"
            }
            out += ".TP\n.B \(roff(key.name))\n\\fI\(roff(plain(key.kind)))\\fR\(roff(plain(fallback)))\n.br\n"
            out += roff(plain(key.summary)) + "\n"
        }
        return out
    }

    /// Markdown as plain text: `code` and **bold** lose their marks, [text](link) keeps its text.
    static func plain(_ markdown: String) -> String {
        markdown.replacing(/\[([^\[\]]*)\]\([^()]*\)/) { String($0.1) }
            .replacingOccurrences(of: "`", with: "").replacingOccurrences(of: "**", with: "")
    }

    /// Text safe in roff: backslashes escaped, hyphens as minus signs (typed options), no line taken for a request.
    static func roff(_ text: String) -> String {
        var text = text.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "-", with: "\\-")
        if text.hasPrefix(".") || text.hasPrefix("'") { text = "\\&" + text }
        return text.replacingOccurrences(of: "\n.", with: "\n\\&.").replacingOccurrences(of: "\n'", with: "\n\\&'")
    }
}
