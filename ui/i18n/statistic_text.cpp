#include "ui/i18n/statistic_text.h"

#include <QCoreApplication>
#include <QLocale>

#include <cmath>

namespace condense::ui {

QString statisticName(TensorStatistic statistic)
{
    switch (statistic) {
    case TensorStatistic::Kurtosis: return QCoreApplication::translate("TensorStatistic", "Kurtosis");
    case TensorStatistic::OutlierShare: return QCoreApplication::translate("TensorStatistic", "Outliers > 3σ");
    case TensorStatistic::AbsMaxOverStd: return QCoreApplication::translate("TensorStatistic", "Abs max / std");
    case TensorStatistic::Std: return QCoreApplication::translate("TensorStatistic", "Standard deviation");
    case TensorStatistic::PreviewError: return QCoreApplication::translate("TensorStatistic", "Preview error");
    }
    return {};
}

QString statisticDescription(TensorStatistic statistic)
{
    switch (statistic) {
    case TensorStatistic::Kurtosis:
        return QCoreApplication::translate("TensorStatistic", "Excess kurtosis: 0 for a normal distribution, large for heavy tails.");
    case TensorStatistic::OutlierShare:
        return QCoreApplication::translate("TensorStatistic", "Share of weights more than 3 standard deviations from the mean.");
    case TensorStatistic::AbsMaxOverStd:
        return QCoreApplication::translate("TensorStatistic", "Largest absolute weight in standard deviations: how far the worst outlier sits.");
    case TensorStatistic::Std: return QCoreApplication::translate("TensorStatistic", "Standard deviation of the weights.");
    case TensorStatistic::PreviewError:
        return QCoreApplication::translate("TensorStatistic",
                                           "Relative RMS error of the weights after quantizing and dequantizing them with the preview type.");
    }
    return {};
}

QString formatSignificant(double value, int digits)
{
    if (!std::isfinite(value)) return value > 0 ? QStringLiteral("∞") : value < 0 ? QStringLiteral("−∞") : QStringLiteral("NaN");
    const double a = std::fabs(value);
    if (a != 0 && (a < 1e-3 || a >= 1e6)) return QLocale().toString(value, 'e', digits - 1);
    return QLocale().toString(value, 'g', digits);
}

QString formatStatistic(TensorStatistic statistic, double value)
{
    switch (statistic) {
    case TensorStatistic::OutlierShare:
    case TensorStatistic::PreviewError: return QLocale().toString(value * 100.0, 'f', value * 100.0 < 10 ? 2 : 1) + QLatin1Char('%');
    case TensorStatistic::Kurtosis:
    case TensorStatistic::AbsMaxOverStd: {
        const int decimals = std::fabs(value) < 100 ? 2 : 0;
        // No "-0.00": a value that rounds to zero is shown as zero.
        if (std::fabs(value) < 0.5 * std::pow(10.0, -decimals)) value = 0.0;
        return QLocale().toString(value, 'f', decimals);
    }
    case TensorStatistic::Std: return formatSignificant(value);
    }
    return {};
}

} // namespace condense::ui
