#pragma once
// The CLI's English text of core's messages (warnings and plan reasons, core/common/message.h).
// The GUI renders the same codes translated (ui/i18n/message_text.h).

#include <string>

#include "core/common/message.h"

namespace condense::cli {

std::string messageText(const Message& message);

} // namespace condense::cli
