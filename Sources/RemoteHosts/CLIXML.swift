import Foundation

/// Windows PowerShell writes its own error records to a redirected stderr as CLIXML: a `#< CLIXML` line, then one
/// `<Objs …>` line whose `<S S="Error">` elements hold the text, with line breaks and control characters escaped as
/// `_xHHHH_` (remote-hosts.md §1.2; Ansible decodes it the same way, lib/ansible/plugins/shell/powershell.py:36-91).
/// Only those two line shapes are touched; anything else is passed on as it came.
public enum CLIXML {
    /// The readable lines of one stderr line: none for the `#< CLIXML` marker, the messages of an `<Objs>` line,
    /// or the line itself.
    public static func readableLines(_ line: String) -> [String] {
        if line == "#< CLIXML" { return [] }
        guard line.hasPrefix("<Objs ") else { return [line] }
        var messages: [String] = []
        var rest = Substring(line)
        let open = "<S S=\"Error\">"
        while let start = rest.range(of: open) {
            rest = rest[start.upperBound...]
            guard let end = rest.range(of: "</S>") else { break }
            messages.append(unescape(String(rest[..<end.lowerBound])))
            rest = rest[end.upperBound...]
        }
        // An <Objs> line without error strings (progress records) says nothing to a person.
        // "\r\n" is one Character: split on any line break.
        return messages.joined().split(whereSeparator: \.isNewline).map(String.init)
    }

    /// `_xHHHH_` (a UTF-16 code unit) and the five XML entities.
    static func unescape(_ text: String) -> String {
        var units: [UInt16] = []
        var characters = Array(text.utf16)[...]
        while let first = characters.first {
            if first == UInt16(UInt8(ascii: "_")), characters.count >= 7, characters[characters.startIndex + 1] == UInt16(UInt8(ascii: "x")),
                characters[characters.startIndex + 6] == UInt16(UInt8(ascii: "_")),
                let value = UInt16(String(decoding: characters[(characters.startIndex + 2)..<(characters.startIndex + 6)], as: UTF16.self), radix: 16)
            {
                units.append(value)
                characters = characters.dropFirst(7)
                continue
            }
            units.append(first)
            characters = characters.dropFirst()
        }
        var result = String(decoding: units, as: UTF16.self)
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&apos;", "'"), ("&amp;", "&")] {
            result = result.replacingOccurrences(of: entity, with: character)
        }
        return result
    }
}
