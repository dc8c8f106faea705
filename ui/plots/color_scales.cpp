#include "ui/plots/color_scales.h"

namespace condense::ui {

QCPColorGradient viridisGradient()
{
    QCPColorGradient g;
    g.clearColorStops();
    static constexpr QRgb kStops[] = {0x440154, 0x482878, 0x3b528b, 0x2c728e, 0x21918c, 0x28ae80, 0x5ec962, 0xaddc30, 0xfde725};
    constexpr int n = sizeof(kStops) / sizeof(kStops[0]);
    for (int i = 0; i < n; ++i) g.setColorStopAt(static_cast<double>(i) / (n - 1), QColor(kStops[i]));
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    g.setNanHandling(QCPColorGradient::nhTransparent);
    g.setLevelCount(256);
    return g;
}

} // namespace condense::ui
