#include "ui/i18n/number_format.h"

#include <QLocale>
#include <QStringList>

#include <algorithm>
#include <cmath>

namespace condense::ui {

namespace {
QString oneDecimal(double v) { return QLocale().toString(v, 'f', 1); }
} // namespace

QString formatBytes(std::uint64_t bytes)
{
    const double b = static_cast<double>(bytes);
    if (bytes < 1000) return QLocale().toString(static_cast<qulonglong>(bytes)) + QStringLiteral(" B");
    if (b < 1e6) return oneDecimal(b / 1e3) + QStringLiteral(" kB");
    if (b < 1e9) return oneDecimal(b / 1e6) + QStringLiteral(" MB");
    if (b < 1e12) return oneDecimal(b / 1e9) + QStringLiteral(" GB");
    return oneDecimal(b / 1e12) + QStringLiteral(" TB");
}

QString formatCount(std::uint64_t n)
{
    const double v = static_cast<double>(n);
    if (n < 1000) return QLocale().toString(static_cast<qulonglong>(n));
    if (v < 1e6) return oneDecimal(v / 1e3) + QStringLiteral(" K");
    if (v < 1e9) return oneDecimal(v / 1e6) + QStringLiteral(" M");
    if (v < 1e12) return oneDecimal(v / 1e9) + QStringLiteral(" B");
    return oneDecimal(v / 1e12) + QStringLiteral(" T");
}

QString formatExactCount(std::uint64_t n) { return QLocale().toString(static_cast<qulonglong>(n)); }

QString formatShape(const std::vector<std::uint64_t>& shape)
{
    if (shape.empty()) return QStringLiteral("–");
    QStringList parts;
    for (auto d : shape) parts << QString::number(static_cast<qulonglong>(d));
    return parts.join(QStringLiteral(" × "));
}

QString formatDuration(std::int64_t ms)
{
    if (ms < 0) ms = 0;
    const std::int64_t s = (ms + 500) / 1000;
    const std::int64_t h = s / 3600;
    const std::int64_t m = (s / 60) % 60;
    const std::int64_t sec = s % 60;
    const QString ss = QStringLiteral("%1").arg(sec, 2, 10, QLatin1Char('0'));
    if (h > 0) return QStringLiteral("%1:%2:%3").arg(h).arg(m, 2, 10, QLatin1Char('0')).arg(ss);
    return QStringLiteral("%1:%2").arg(m).arg(ss);
}

QString formatPercent(double fraction)
{
    const double p = std::clamp(fraction, 0.0, 1.0) * 100.0;
    return QLocale().toString(static_cast<int>(std::floor(p))) + QStringLiteral("%");
}

} // namespace condense::ui
