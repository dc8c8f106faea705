#include "core/tokenizer/utf8.h"

namespace condense::tokenizer::utf8 {

std::string fromUtf8Lossy(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = validLength(s, i);
        if (n != 0) {
            out.append(s.data() + i, n);
            i += n;
            continue;
        }
        // Maximal subpart of an ill-formed sequence (Unicode 15, section 3.9 "U+FFFD
        // Substitution of Maximal Subparts"): a valid lead followed by as many valid
        // continuation bytes as fit, before the sequence breaks off.
        const unsigned char c = b(i);
        std::size_t want = 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) want = 2;
        else if (c == 0xE0) { want = 3; lo = 0xA0; }
        else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) want = 3;
        else if (c == 0xED) { want = 3; hi = 0x9F; }
        else if (c == 0xF0) { want = 4; lo = 0x90; }
        else if (c >= 0xF1 && c <= 0xF3) want = 4;
        else if (c == 0xF4) { want = 4; hi = 0x8F; }
        std::size_t k = 1;
        while (want != 0 && k < want && i + k < s.size()) {
            const unsigned char x = b(i + k);
            const unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
            if (x < l || x > h) break;
            ++k;
        }
        out += kReplacement;
        i += k;
    }
    return out;
}

} // namespace condense::tokenizer::utf8
