//! Whether the device's storage is safe for changes that wait to be sent: a browser may clear a
//! site's storage that is not persistent (Safari after seven days without use, unless the app is
//! installed to the home screen; any browser under storage pressure), and a nearly full quota makes
//! the next save fail. Only changes that wait can be lost, so a warning is only for them.

use crate::locale::Locale;

/// Used share of the quota from which the device counts as nearly full.
pub const NEARLY_FULL_PERCENT: f64 = 90.0;

/// What the browser says about the site's storage (`navigator.storage`); `None` where it cannot say.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StorageState {
    pub persisted: Option<bool>,
    pub usage: Option<f64>,
    pub quota: Option<f64>,
}

/// Why changes that wait on this device are at risk.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StorageWarning {
    /// The browser may clear the storage; `pending` changes would go with it.
    NotPersistent { pending: usize },
    /// `percent` of the quota is used; saving more may fail.
    NearlyFull { pending: usize, percent: u8 },
}

impl StorageState {
    /// The warning for `pending` waiting changes, the fuller storage first; none when nothing waits.
    pub fn warning(&self, pending: usize) -> Option<StorageWarning> {
        if pending == 0 {
            return None;
        }
        if let (Some(usage), Some(quota)) = (self.usage, self.quota) {
            let percent = if quota > 0.0 {
                usage * 100.0 / quota
            } else {
                100.0
            };
            if percent >= NEARLY_FULL_PERCENT {
                return Some(StorageWarning::NearlyFull {
                    pending,
                    percent: percent.clamp(0.0, 100.0).round() as u8,
                });
            }
        }
        (self.persisted == Some(false)).then_some(StorageWarning::NotPersistent { pending })
    }
}

impl StorageWarning {
    /// The warning in plain words, with what to do.
    pub fn message(&self, locale: Locale) -> String {
        match (self, locale) {
            (StorageWarning::NotPersistent { pending }, Locale::ZhCn) => format!(
                "有 {pending} 项修改还在本设备上等待发送，而浏览器可能清除本网站的数据。请尽快联网同步；\
                 在平板上请把本应用添加到主屏幕，数据才会一直保留。"
            ),
            (StorageWarning::NotPersistent { pending }, Locale::En) => format!(
                "{pending} change(s) are waiting on this device, and the browser may clear this site's \
                 data. Connect to sync them soon; on a tablet, add the app to the home screen so its \
                 data is kept."
            ),
            (StorageWarning::NearlyFull { pending, percent }, Locale::ZhCn) => format!(
                "本设备的存储已用 {percent}%，还有 {pending} 项修改等待发送。请尽快联网同步，\
                 并清理设备空间，否则新的修改可能无法保存。"
            ),
            (StorageWarning::NearlyFull { pending, percent }, Locale::En) => format!(
                "This device's storage is {percent}% full and {pending} change(s) are waiting. \
                 Connect to sync them soon and free some space, or new changes may not save."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_waiting_changes_on_storage_that_may_go_are_warned_about() {
        let safe = StorageState {
            persisted: Some(true),
            usage: Some(10.0),
            quota: Some(100.0),
        };
        assert_eq!(safe.warning(5), None);
        let clearable = StorageState {
            persisted: Some(false),
            ..safe
        };
        assert_eq!(clearable.warning(0), None);
        assert_eq!(
            clearable.warning(3),
            Some(StorageWarning::NotPersistent { pending: 3 })
        );
        // A browser that cannot say is not warned about.
        assert_eq!(StorageState::default().warning(3), None);
        let full = StorageState {
            usage: Some(95.4),
            ..safe
        };
        assert_eq!(
            full.warning(2),
            Some(StorageWarning::NearlyFull {
                pending: 2,
                percent: 95
            })
        );
        // Full comes first: it fails sooner.
        let both = StorageState {
            persisted: Some(false),
            ..full
        };
        assert!(matches!(
            both.warning(1),
            Some(StorageWarning::NearlyFull { .. })
        ));
        assert!(both
            .warning(1)
            .unwrap()
            .message(Locale::ZhCn)
            .contains("已用 95%"));
        assert!(clearable
            .warning(3)
            .unwrap()
            .message(Locale::En)
            .contains("3 change(s)"));
    }
}
