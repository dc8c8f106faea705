#pragma once
// Translated text of core's messages (warnings and plan reasons, core/common/message.h): every
// MessageCode through tr(). Field values (type names, counts, tensor names) are technical and
// stay as they are. The untranslated text equals the CLI's (app/message_text.h).
#include <QCoreApplication>
#include <QString>

#include "core/common/message.h"

namespace condense::ui {

class MessageText {
    Q_DECLARE_TR_FUNCTIONS(condense::ui::MessageText)
public:
    static QString text(const condense::Message& message);

private:
    static QString mixRuleText(const condense::Message& message);
    static QString poolName(const condense::Message& message);
};

} // namespace condense::ui
