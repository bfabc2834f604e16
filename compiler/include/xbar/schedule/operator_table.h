// The operators xbar supports, as a Markdown table generated from the code (`xbar ops`;
// README "Supported operators" embeds it and a test keeps the two equal): for each, where it
// runs (crossbars, vector units, folded into constants or other ops) and what it costs the
// vector unit (vector_work.h).
#pragma once

#include <string>

namespace xbar::schedule {

std::string operatorTableMarkdown();

}  // namespace xbar::schedule
