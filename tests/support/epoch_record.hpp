// An epoch_record from its seven values, in the order of the history CSV's columns.
#pragma once

#include <cstddef>

#include <ctnn/train/history.hpp>

namespace ctnn_test {

inline ctnn::epoch_record record(std::size_t epoch, double train_loss, double val_loss, double train_metric,
                                 double val_metric, double lr, double seconds) {
    ctnn::epoch_record r;
    r.epoch = epoch;
    r.train_loss = train_loss;
    r.val_loss = val_loss;
    r.train_metric = train_metric;
    r.val_metric = val_metric;
    r.lr = lr;
    r.seconds = seconds;
    return r;
}

}  // namespace ctnn_test
