// Every message code (core/common/message.h) has a text in the GUI (ui/i18n/message_text.h):
// untranslated it is the CLI's English text (app/message_text.h), and each language renders it
// translated.
#include <QCoreApplication>
#include <QTranslator>

#include <gtest/gtest.h>

#include "app/message_text.h"
#include "core/common/message.h"
#include "ui/i18n/message_text.h"

namespace condense::test {
namespace {

// A message of `code` with every field its text uses (and a few rule fields).
std::vector<Message> samples(MessageCode code)
{
    Message m(code, "blk.0.attn_q.weight",
              {{"text", "free text"}, {"type", "F32"}, {"dims", "1"}, {"pattern", "attn_v"}, {"tensor", "attn_v"}, {"mix", "Q4_K_M"},
               {"to", "Q6_K"}, {"row", "96"}, {"block", "256"}, {"from", "Q4_K"}, {"id", "7"}, {"token_type", "bos"},
               {"limit", "100"}, {"max", "99"}, {"rope_type", "weird"}, {"values", "3"}, {"want", "4"}, {"count", "2"},
               {"needed", "9985798963"}, {"available", "8589934592"}, {"pool", "vram"}, {"kld", "0.031273"}, {"gpu_layers", "20"},
               {"layers", "33"}, {"ctx", "8192"}});
    std::vector<Message> r;
    if (code == MessageCode::Fallback || code == MessageCode::Replayed) {
        Message rule(MessageCode::MixRule, {}, {{"tensor", "ffn_down"}, {"variant", "bump"}, {"condition", "use_more_bits"}, {"layer", "1"}, {"of", "6"}});
        nestMessage(m, rule);
        Message viaF16 = m;
        viaF16.set("via", "IQ4_NL").set("block2", "32");
        r.push_back(viaF16);
    }
    if (code == MessageCode::MixRule) {
        for (const char* t : {"output", "tied_token_embd"})
            for (const char* c : {"", "falcon", "row"}) r.push_back(Message(code, {}, {{"tensor", t}, {"condition", c}, {"row", "80"}, {"block", "256"}, {"to", "Q8_0"}}));
        for (const char* v : {"70b", "8_expert", "bump", "falcon", "with_imatrix", "without_imatrix"})
            for (const char* c : {"gqa", "use_more_bits", "first_layers", "first_eighth", "first_sixteenth"})
                r.push_back(Message(code, {}, {{"tensor", "attn_v"}, {"variant", v}, {"condition", c}, {"gqa", "4"}, {"first", "2"}, {"mix", "Q3_K_M"},
                                               {v[0] == 'b' ? "counter" : "layer", "1"}, {"of", "6"}}));
    }
    r.push_back(m);
    return r;
}

std::string utf8(const QString& s) { return s.toStdString(); }

TEST(MessageText, UntranslatedTextIsTheClisEnglish)
{
    for (MessageCode code : allMessageCodes())
        for (const Message& m : samples(code)) {
            SCOPED_TRACE(std::string(messageCodeKey(code)));
            const std::string english = cli::messageText(m);
            EXPECT_FALSE(english.empty());
            EXPECT_EQ(utf8(ui::MessageText::text(m)), english);
        }
}

TEST(MessageText, EveryCodeIsTranslated)
{
    for (const char* lang : {"de", "fr", "zh_CN"}) {
        SCOPED_TRACE(lang);
        QTranslator t;
        ASSERT_TRUE(t.load(QStringLiteral(":/i18n/condense_") + QString::fromLatin1(lang) + QStringLiteral(".qm")));
        QCoreApplication::installTranslator(&t);
        for (MessageCode code : allMessageCodes()) {
            if (code == MessageCode::LegacyText) continue; // a version 1 plan's own text, shown as it is
            for (const Message& m : samples(code)) {
                SCOPED_TRACE(std::string(messageCodeKey(code)));
                const QString text = ui::MessageText::text(m);
                EXPECT_FALSE(text.isEmpty());
                EXPECT_NE(utf8(text), cli::messageText(m));
            }
        }
        QCoreApplication::removeTranslator(&t);
    }
}

} // namespace
} // namespace condense::test
