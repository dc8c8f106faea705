#pragma once
// Text read from untrusted files, made safe for Error::detail. Error details end up on one
// line of the CLI's stderr ("condense-cli: error: <file>: <detail>"), in JSON and in the GUI
// banner, so a tensor name, a key or a parser message quoting the file must not carry control
// bytes (newlines, terminal escapes), invalid UTF-8 or megabytes of text: control bytes and
// bytes that are not part of a well-formed UTF-8 sequence become \xNN, and long text is cut.

#include <cstddef>
#include <string>
#include <string_view>

namespace condense::io {

// Length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF), or 0 if there is none.
inline std::size_t utf8SequenceLength(std::string_view s, std::size_t i)
{
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(i);
    if (c < 0x80) return 1;
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF; // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c == 0xE0) { n = 3; lo = 0xA0; }
    else if (c >= 0xE1 && c <= 0xEC) n = 3;
    else if (c == 0xED) { n = 3; hi = 0x9F; }
    else if (c >= 0xEE && c <= 0xEF) n = 3;
    else if (c == 0xF0) { n = 4; lo = 0x90; }
    else if (c >= 0xF1 && c <= 0xF3) n = 4;
    else if (c == 0xF4) { n = 4; hi = 0x8F; }
    else return 0;
    if (i + n > s.size()) return 0;
    if (b(i + 1) < lo || b(i + 1) > hi) return 0;
    for (std::size_t k = 2; k < n; ++k)
        if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
    return n;
}

// At most maxBytes of input, escaped as described above; "..." marks a cut.
inline std::string printableText(std::string_view s, std::size_t maxBytes = 400)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::string r;
    std::size_t i = 0;
    while (i < s.size() && i < maxBytes) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t n = utf8SequenceLength(s, i);
        if (n == 1 && c >= 0x20 && c != 0x7f && c != '\\') {
            r += static_cast<char>(c);
        } else if (n > 1) {
            r.append(s.substr(i, n));
            i += n;
            continue;
        } else {
            r += "\\x";
            r += kHex[c >> 4];
            r += kHex[c & 15];
        }
        ++i;
    }
    if (i < s.size()) r += "...";
    return r;
}

// A name from the file, quoted for a message: 'blk.0.attn_q.weight'.
inline std::string quotedName(std::string_view s, std::size_t maxBytes = 80)
{
    return "'" + printableText(s, maxBytes) + "'";
}

} // namespace condense::io
