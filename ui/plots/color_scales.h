#pragma once
// Colour scales of the plots (UI.md "Visual language"): perceptually uniform for magnitudes.
#include <qcustomplot.h>

namespace condense::ui {

// Viridis (van der Walt and Smith, matplotlib's default map, CC0), as nine stops; NaN cells
// transparent.
QCPColorGradient viridisGradient();

} // namespace condense::ui
