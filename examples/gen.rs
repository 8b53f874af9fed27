//! Synthetic CRM export generator for `comply`.
//!
//! ```text
//! cargo run --release --example gen -- --customers N [--seed S] [--out PATH]
//!     [--layout document|directory] [--violations RATE] [--gzip] [--pretty]
//! ```
//!
//! Deterministic for a seed; streams every record through a `BufWriter`
//! (nothing but the employee list is kept in memory), so `--customers 1000000`
//! runs in bounded memory. `--violations RATE` (default 0.01) makes that
//! fraction of records break some rule; `--violations 0` gives an export that
//! is clean under all 42 rules of `shared/spec/rules.md`.
//!
//! The sample fixture is regenerated, from the crate root, with
//!
//! ```text
//! cargo run --release --example gen -- --sample
//! ```
//!
//! which is `--customers 200 --seed 20251231 --violations 0 --pretty` plus the
//! hand-picked injected violations listed in `fixtures/README.md`, written as
//! `fixtures/sample-export/` (directory layout), `fixtures/sample-export.json`
//! (document layout, same data) and `fixtures/sample-export.expected.json`.
//! `python3 fixtures/check_sample.py` re-derives the violation set independently.
//!
//! ## `--production`: an export that looks like production
//!
//! ```text
//! cargo run --release --example gen -- --production --customers N [--seed S] [--out PATH]
//!     [--violations RATE] [--integrity RATE] [--gzip]
//! ```
//!
//! A profile for benchmarks that should not run on a clean export only
//! (issue 13). It starts from the clean export (`--violations 0`) and then:
//!
//! - **Layout**: one JSON document; inside each collection array one record
//!   per line, compact, without indentation; the `export` metadata object is
//!   written **last**, after every collection.
//! - **Rules**: every one of the 42 rules fires on about RATE (`--violations`,
//!   default 0.03 here) of the records it judges, i.e. of the records of its
//!   collection that pass the rule's `when` (visits with a `plan_id` for
//!   CD412, marketing communications for CD446, failed assessments for CD623,
//!   external transfers for CD435/CD436, ...). Each rule has its own coin per
//!   record (a hash of seed, rule and record), so rates do not interact.
//!   Master data that is one record per company in the clean export is scaled
//!   so that 3% can mean something: branch plans (`P2025-B001`, N/400 per
//!   year), research reports (N/2000 per quarter), supervision reviews (N/5000
//!   full-scope reviews per month), regulator findings (N/1000), each with a
//!   floor (34 or more records judged; likewise employees, events and data
//!   transfers) so that every rule fires from about 1,000 customers up.
//!   The three **period rules** judge 12 ended months or 4 ended quarters,
//!   where 3% is less than one period: each fails in exactly one period
//!   (CD423 no research in 2025-Q2, CD613 no data_protection review in
//!   2025-05, CD614 no survey in 2025-Q3). CD622 (per employee and period)
//!   fires on ~3% of the judged employees, one missing month each.
//! - **Integrity** (`--integrity RATE`, default 0.0095, plus 0.1% duplicates):
//!   about 1% of records carry a finding: CD001 unfit values (a timestamp
//!   without its offset, a number written as text, an enumeration value the
//!   schema does not know), CD002 a record exported twice (~0.1% of records,
//!   the copy a few hundred records later), CD003 a reference to a departed
//!   employee, a deleted customer or a delisted product, and CD004 one
//!   undeclared collection, `wechat_messages`. Unfit values and dangling
//!   references are put only on fields no rule reads (or reads only where the
//!   record is not judged), so that they do not change the rule figures.
//! - **Valid variety** that a strict reader must accept: lowercase `t`,
//!   timestamps in UTC with `Z` or `z`, and a date alone (`2025-03-04`) on
//!   fields where 00:00 of that day judges the same (`created_at`,
//!   `joined_at`, `granted_at`, `completed_at` of reports and trainings,
//!   `conducted_at`).
//! - **Text in Chinese and English**: about 30% of records are written in
//!   English (`Wang Wei`, `Shanghai Hengxin Technology Co., Ltd.`, summaries,
//!   complaint subjects, cities), 8% mix both, the rest is Chinese.
//!
//! It streams like the other modes (bounded memory at any N); the generator
//! prints a tally of the integrity findings it wrote to standard error.

use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------- PRNG

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn f(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.f() < p
    }
    /// lo..hi (exclusive); lo when empty
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            lo + (self.next() % ((hi - lo) as u64)) as i64
        }
    }
    fn idx(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.idx(v.len())]
    }
}

fn mix(a: u64, b: u64) -> u64 {
    let mut r = Rng(a ^ b.wrapping_mul(0xD6E8_FEB8_6659_FD93));
    r.next();
    r.next()
}

// ---------------------------------------------------------------- time (local +08:00 seconds)

const MIN: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86400;

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}
fn ts(y: i64, m: i64, d: i64, h: i64, mi: i64) -> i64 {
    days_from_civil(y, m, d) * DAY + h * HOUR + mi * MIN
}
fn fmt(t: i64) -> String {
    let (y, m, d) = civil_from_days(t.div_euclid(DAY));
    let s = t.rem_euclid(DAY);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+08:00",
        y,
        m,
        d,
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}
fn ymd(t: i64) -> (i64, i64, i64) {
    civil_from_days(t.div_euclid(DAY))
}
fn month_label(t: i64) -> String {
    let (y, m, _) = ymd(t);
    format!("{:04}-{:02}", y, m)
}
/// A working-hours instant between lo and hi (clamped), minute precision.
fn work(r: &mut Rng, lo: i64, hi: i64) -> i64 {
    let day = r.range(lo.div_euclid(DAY), hi.div_euclid(DAY) + 1);
    let t = day * DAY + 9 * HOUR + r.range(0, 9 * 60) * MIN;
    t.max(lo).min(hi)
}

fn as_of() -> i64 {
    ts(2025, 12, 31, 23, 59) + 59
}
// last instant for ordinary activity, so that everything is recorded before as_of
fn activity_end() -> i64 {
    ts(2025, 12, 20, 18, 0)
}

// ---------------------------------------------------------------- names

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "文博", "子涵", "思远", "雨桐", "浩然",
];
const CITIES: &[&str] = &[
    "上海", "北京", "深圳", "杭州", "苏州", "南京", "成都", "武汉", "广州", "宁波",
];
const FIRMS: &[&str] = &[
    "恒信", "瑞丰", "中和", "华远", "博达", "启明", "鼎盛", "泰和", "云帆", "安泽",
];
const TRADES: &[&str] = &[
    "科技",
    "贸易",
    "制造",
    "物流",
    "医药",
    "新材料",
    "投资管理",
    "餐饮",
];

fn person(r: &mut Rng) -> String {
    format!("{}{}", r.pick(SURNAMES), r.pick(GIVEN))
}
fn company(r: &mut Rng) -> String {
    format!(
        "{}{}{}有限公司",
        r.pick(CITIES),
        r.pick(FIRMS),
        r.pick(TRADES)
    )
}

// ---------------------------------------------------------------- model

const DEPTS: &[&str] = &[
    "senior_management",
    "marketing",
    "business",
    "customer_service",
    "compliance",
    "risk_management",
    "other",
];

struct Emp {
    id: String,
    name: String,
    dept: &'static str,
    active: bool,
    joined: i64,
}

struct Product {
    id: String,
    level: u8,
}

#[derive(Clone)]
struct Basics {
    created: i64,
    contracted: bool,
    terminated: bool,
    signed: i64,
    tolerance: u8,
    marketing_consent: bool,
    data_sharing: bool,
    owner: usize,
}

#[derive(Default, Clone)]
struct Targets {
    cd431: usize,
    cd442: usize,
    cd445: usize,
    cd446: usize,
    cd463: usize,
    cd464: usize,
    cd521: usize,
    cd532: usize,
    cd511_emp: usize,
    cd622_emp: usize,
}

/// The production-like profile (`--production`).
#[derive(Clone)]
struct Prod {
    /// Each rule's firing share among the records it judges.
    rate: f64,
    /// Share of records given an unfit value or a dangling reference.
    integ: f64,
}

struct Ctx {
    seed: u64,
    n: usize,
    rate: f64,
    prod: Option<Prod>,
    w: usize,
    aw: usize,
    emps: Vec<Emp>,
    by_dept: BTreeMap<&'static str, Vec<usize>>,
    owners: Vec<usize>,
    products: Vec<Product>,
    sample: Option<Targets>,
}

#[derive(Default)]
struct Counters {
    consent: usize,
    visit: usize,
    comm: usize,
    contract: usize,
    account: usize,
    complaint: usize,
}

#[derive(Default)]
struct Bundle {
    customer: Value,
    consents: Vec<(i64, Value)>,
    visits: Vec<(i64, Value)>,
    comms: Vec<(i64, Value)>,
    contracts: Vec<Value>,
    accounts: Vec<Value>,
    complaints: Vec<Value>,
    injected: Vec<Value>,
}

fn viol(rule: &str, coll: &str, id: Option<&str>, key: Option<&str>) -> Value {
    json!({"rule": rule, "collection": coll, "id": id, "key": key})
}

impl Ctx {
    fn emp(&self, i: usize) -> &Emp {
        &self.emps[i]
    }
    fn dept(&self, d: &str) -> &Vec<usize> {
        &self.by_dept[d]
    }
    fn pick_dept(&self, r: &mut Rng, d: &str) -> String {
        let v = self.dept(d);
        // prefer active staff
        for _ in 0..8 {
            let e = &self.emps[*r.pick(v)];
            if e.active {
                return e.id.clone();
            }
        }
        self.emps[v[0]].id.clone()
    }
    fn cid(&self, i: usize) -> String {
        format!("C{:0w$}", i + 1, w = self.w)
    }
    fn aid(&self, p: &str, n: usize) -> String {
        format!("{}{:0w$}", p, n, w = self.aw)
    }
    /// Violation coin (separate stream, so clean data does not depend on the rate).
    fn v(&self, vr: &mut Rng) -> bool {
        self.rate > 0.0 && vr.chance(self.rate)
    }

    fn basics(&self, i: usize) -> Basics {
        let mut r = Rng(mix(self.seed, i as u64 + 1));
        let created = work(&mut r, ts(2024, 6, 1, 0, 0), ts(2025, 11, 20, 18, 0));
        let mut contracted = r.chance(0.42);
        let signed = created + r.range(10, 60) * DAY + r.range(0, 6 * 60) * MIN;
        if signed > ts(2025, 12, 5, 0, 0) {
            contracted = false;
        }
        let terminated = contracted && r.chance(0.08);
        let tol = [1u8, 2, 2, 3, 3, 3, 4, 4, 5];
        let tolerance = *r.pick(&tol);
        let marketing_consent = r.chance(0.85);
        let data_sharing = r.chance(0.25);
        let owner = *r.pick(&self.owners);
        Basics {
            created,
            contracted,
            terminated,
            signed,
            tolerance,
            marketing_consent,
            data_sharing,
            owner,
        }
    }

    fn bundle(&self, i: usize, c: &mut Counters) -> Bundle {
        let b = self.basics(i);
        let mut r = Rng(mix(self.seed ^ 0xC0FFEE, i as u64 + 1));
        let mut vr = Rng(mix(self.seed ^ 0xBAD, i as u64 + 1));
        let t = self.sample.clone().unwrap_or(Targets {
            cd431: usize::MAX,
            cd442: usize::MAX,
            cd445: usize::MAX,
            cd446: usize::MAX,
            cd463: usize::MAX,
            cd464: usize::MAX,
            cd521: usize::MAX,
            cd532: usize::MAX,
            cd511_emp: usize::MAX,
            cd622_emp: usize::MAX,
        });
        let mut out = Bundle::default();
        let cid = self.cid(i);
        let owner = self.emp(b.owner);
        let corporate = r.chance(0.2);
        let name = if corporate {
            company(&mut r)
        } else {
            person(&mut r)
        };
        let mut info = b.created + r.range(1, 72) * HOUR;
        let upd_lo = info.max(ts(2025, 1, 6, 0, 0));
        let profile_updated = work(
            &mut r,
            upd_lo,
            (upd_lo + 120 * DAY).min(ts(2025, 12, 15, 0, 0)),
        );
        let channels = [
            "referral",
            "event",
            "visit",
            "inbound",
            "online",
            "cold_call",
            "partner",
            "other",
        ];
        let mut channel = r.pick(&channels).to_string();
        let mut classification = if r.chance(0.7) {
            "confidential"
        } else {
            "restricted"
        };
        if i == t.cd521 {
            channel = "purchased_list".into();
            out.injected
                .push(viol("CD521", "customers", Some(&cid), None));
        } else if self.v(&mut vr) {
            match vr.idx(3) {
                0 => channel = "scraped_data".into(),
                1 => classification = "internal",
                _ => info = b.created - 2 * DAY,
            }
        }
        if i == t.cd431 {
            info = b.created - 3 * DAY;
            out.injected
                .push(viol("CD431", "customers", Some(&cid), None));
        }
        let stage = if b.contracted {
            if b.terminated {
                "closed"
            } else {
                "contracted"
            }
        } else if r.chance(0.06) {
            "closed"
        } else {
            "prospect"
        };
        let prefs = [
            "稳健增值",
            "保本优先",
            "长期配置",
            "高收益成长",
            "流动性优先",
        ];
        let basic_info = if corporate {
            json!({"industry": r.pick(TRADES), "city": r.pick(CITIES), "registered_capital": r.range(1, 500) * 100_000})
        } else {
            json!({"age": r.range(23, 70), "city": r.pick(CITIES), "occupation": r.pick(&["教师", "工程师", "医生", "个体经营", "公务员", "自由职业"])})
        };
        let kyc = if b.contracted {
            json!({"status": "verified", "verified_at": fmt(b.signed - 3 * DAY), "verified_by": self.pick_dept(&mut r, "compliance"),
                   "due_diligence_completed_at": fmt(b.signed - 2 * DAY)})
        } else if r.chance(0.5) {
            json!({"status": "pending"})
        } else {
            Value::Null
        };
        let mut cust = json!({
            "id": cid, "type": if corporate {"corporate"} else {"individual"}, "name": name,
            "created_at": fmt(b.created), "owner": owner.id, "acquisition_channel": channel, "stage": stage,
            "info_collected_at": fmt(info),
            "profile": {"basic_info": basic_info,
                        "financial_status": {"annual_income": r.range(10, 300) * 10_000, "assets": r.range(5, 2000) * 10_000},
                        "investment_preference": r.pick(&prefs), "risk_tolerance": format!("C{}", b.tolerance)},
            "profile_updated_at": fmt(profile_updated),
            "data_classification": classification,
        });
        if !kyc.is_null() {
            cust["kyc"] = kyc;
        }
        out.customer = cust;

        // consents
        let ch = ["paper", "online", "phone", "in_person"];
        let mut add_consent = |c: &mut Counters,
                               purpose: &str,
                               at: i64,
                               revoked: Option<i64>,
                               r: &mut Rng| {
            c.consent += 1;
            let id = self.aid("K", c.consent);
            let mut v = json!({"id": id, "customer_id": cid, "purpose": purpose, "granted_at": fmt(at),
                               "channel": r.pick(&ch), "evidence": format!("DOC-{}-{}", cid, c.consent)});
            if let Some(rv) = revoked {
                v["revoked_at"] = json!(fmt(rv));
            }
            out.consents.push((at, v));
        };
        add_consent(c, "information_collection", b.created, None, &mut r);
        let mut mk_revoked: Option<i64> = None;
        if b.marketing_consent {
            if i == t.cd446 {
                mk_revoked = Some(
                    work(&mut r, ts(2025, 6, 1, 0, 0), ts(2025, 6, 30, 0, 0))
                        .max(b.created + 20 * DAY),
                );
            } else if !b.contracted && r.chance(0.1) {
                let lo = b.created.max(ts(2025, 1, 2, 0, 0)) + 15 * DAY;
                if lo < activity_end() - 10 * DAY {
                    mk_revoked = Some(work(&mut r, lo, activity_end() - 10 * DAY));
                }
            }
            add_consent(
                c,
                "marketing_contact",
                b.created + r.range(1, 30) * MIN,
                mk_revoked,
                &mut r,
            );
        }
        if b.data_sharing {
            add_consent(
                c,
                "data_sharing",
                b.created + r.range(30, 90) * MIN,
                None,
                &mut r,
            );
        }

        let act_lo = b.created.max(ts(2025, 1, 2, 0, 0)) + DAY;
        let mut act_hi = activity_end();
        if i == t.cd445 {
            act_hi = ts(2025, 8, 31, 18, 0);
            out.injected
                .push(viol("CD445", "customers", Some(&cid), None));
        }
        let plan = "P2025-01";
        let marketing_ok = |at: i64| {
            b.marketing_consent && at >= b.created + 30 * MIN && mk_revoked.is_none_or(|rv| at < rv)
        };

        // visits
        let mut nv = r.range(0, 2) as usize;
        if b.contracted {
            nv += 1;
        }
        if i == t.cd442 {
            nv = nv.max(1);
        }
        let visitors: Vec<usize> = if owner.dept == "marketing" || owner.dept == "business" {
            vec![b.owner]
        } else {
            vec![self.dept("business")[0]]
        };
        for k in 0..nv {
            if act_lo >= act_hi {
                break;
            }
            c.visit += 1;
            let id = self.aid("V", c.visit);
            let at = work(&mut r, act_lo, act_hi);
            let mut emp = self.emp(*r.pick(&visitors)).id.clone();
            let mut rec = at + r.range(1, 48) * HOUR;
            let mut prep = json!({"background": "客户背景与既有产品梳理", "needs": r.pick(&["资产配置", "养老规划", "子女教育金", "企业现金管理"]),
                                  "approach": r.pick(&["上门拜访", "网点面谈", "陪同路演"]), "prepared_at": fmt(at - r.range(1, 4) * DAY)});
            if i == t.cd442 && k == 0 {
                rec = at + 5 * DAY;
                out.injected.push(viol("CD442", "visits", Some(&id), None));
            } else if self.v(&mut vr) {
                match vr.idx(3) {
                    0 => rec = at + 5 * DAY,
                    1 => prep = json!({"background": "临时拜访"}),
                    _ => emp = self.pick_dept(&mut vr, "customer_service"),
                }
            }
            let mut v = json!({"id": id, "customer_id": cid, "employee_id": emp});
            if r.chance(0.7) {
                v["plan_id"] = json!(plan);
            }
            v["visited_at"] = json!(fmt(at));
            v["preparation"] = prep;
            v["summary"] = json!(r.pick(&[
                "介绍了稳健型理财产品",
                "了解客户年度资金安排",
                "讲解风险测评结果",
                "回访已购产品情况"
            ]));
            v["feedback"] = json!(r.pick(&[
                "客户有兴趣,约定下次详谈",
                "客户暂无需求",
                "客户希望收到产品资料",
                "客户满意"
            ]));
            v["recorded_at"] = json!(fmt(rec));
            out.visits.push((at, v));
        }

        // communications
        let mut times: Vec<i64> = (0..r.range(1, 3))
            .map(|_| work(&mut r, act_lo, act_hi))
            .collect();
        if b.contracted && !b.terminated && i != t.cd445 {
            times.push(work(&mut r, ts(2025, 10, 10, 0, 0).max(act_lo), act_hi));
        }
        let mut inject446 = None;
        if let (true, Some(rv)) = (i == t.cd446, mk_revoked) {
            let at = rv + 10 * DAY + 2 * HOUR;
            times.push(at);
            inject446 = Some(at);
        }
        times.sort();
        for at in times {
            if at < act_lo || at > act_hi && Some(at) != inject446 {
                continue;
            }
            c.comm += 1;
            let id = self.aid("M", c.comm);
            let mut purpose = if marketing_ok(at) && r.chance(0.5) {
                "marketing"
            } else if r.chance(0.5) {
                "service"
            } else {
                "consultation"
            };
            let mut emp = if purpose == "service" && r.chance(0.5) {
                self.pick_dept(&mut r, "customer_service")
            } else {
                owner.id.clone()
            };
            let mut rec = at + r.range(10, 60 * 24 * 2) * MIN;
            let mut summary = Some(());
            if Some(at) == inject446 {
                purpose = "marketing";
                emp = owner.id.clone();
                out.injected
                    .push(viol("CD446", "communications", Some(&id), None));
            } else if self.v(&mut vr) {
                match vr.idx(2) {
                    0 => rec = at + 6 * DAY,
                    _ if !marketing_ok(at) => {
                        purpose = "marketing";
                        emp = owner.id.clone();
                    }
                    _ => summary = None,
                }
            }
            let ch = *r.pick(&["phone", "email", "meeting", "sms", "wechat"]);
            let summ = *r.pick(&[
                "电话回访,确认联系方式",
                "发送产品说明书",
                "解答赎回流程问题",
                "邀请参加投资策略会",
            ]);
            let fb = *r.pick(&["已知悉", "客户表示感谢", "客户要求书面材料"]);
            let v = json!({"id": id, "customer_id": cid, "employee_id": emp, "channel": ch, "purpose": purpose,
                "occurred_at": fmt(at), "summary": summary.map(|_| summ), "feedback": fb, "recorded_at": fmt(rec)});
            out.comms.push((at, v));
        }

        // contract + account
        if b.contracted {
            c.contract += 1;
            let kid = self.aid("T", c.contract);
            let fit: Vec<&Product> = self
                .products
                .iter()
                .filter(|p| p.level <= b.tolerance)
                .collect();
            let mut prods = vec![];
            let np = 1 + r.idx(2);
            let mut used = BTreeSet::new();
            for _ in 0..np {
                let p = *r.pick(&fit);
                if used.insert(p.id.clone()) {
                    prods.push(json!({"product_id": p.id, "selected_by_customer": true}));
                }
            }
            let mut signed_by = if owner.dept == "business" {
                owner.id.clone()
            } else {
                self.pick_dept(&mut r, "business")
            };
            let mut disclosed = b.signed - r.range(30, 24 * 60) * MIN;
            if i == t.cd464 {
                let r4 = self.products.iter().find(|p| p.level == 4).unwrap();
                prods.push(json!({"product_id": r4.id, "selected_by_customer": true}));
                out.injected
                    .push(viol("CD464", "contracts", Some(&kid), Some(&r4.id)));
            }
            if i == t.cd463 {
                disclosed = b.signed + 2 * DAY;
                out.injected
                    .push(viol("CD463", "contracts", Some(&kid), None));
            } else if self.v(&mut vr) {
                match vr.idx(3) {
                    0 => disclosed = b.signed + DAY,
                    1 => signed_by = self.pick_dept(&mut vr, "marketing"),
                    _ => prods[0]["selected_by_customer"] = json!(false),
                }
            }
            out.contracts.push(json!({"id": kid, "customer_id": cid, "signed_by": signed_by, "signed_at": fmt(b.signed),
                "status": if b.terminated {"terminated"} else {"signed"}, "products": prods,
                "risk_disclosure": {"disclosed_at": fmt(disclosed), "acknowledged": true}}));
            c.account += 1;
            let aid = self.aid("A", c.account);
            let mut opened = b.signed + r.range(2, 72) * HOUR;
            if self.v(&mut vr) {
                opened = b.signed - DAY;
            }
            out.accounts.push(json!({"id": aid, "customer_id": cid, "contract_id": kid, "opened_at": fmt(opened),
                "opened_by": self.pick_dept(&mut r, "business"), "first_funded_at": fmt(opened + r.range(1, 120) * HOUR)}));
        }

        // complaints
        if (r.chance(0.04) || i == t.cd532) && act_lo < ts(2025, 12, 1, 0, 0) {
            c.complaint += 1;
            let qid = self.aid("Q", c.complaint);
            let recv = work(&mut r, act_lo, ts(2025, 12, 1, 0, 0));
            let mut resp = recv + r.range(1, 14 * 24) * HOUR;
            let mut handler = self.pick_dept(&mut r, "customer_service");
            if i == t.cd532 {
                resp = recv + 19 * DAY;
                out.injected
                    .push(viol("CD532", "complaints", Some(&qid), None));
            } else if self.v(&mut vr) {
                match vr.idx(2) {
                    0 => resp = recv + 20 * DAY,
                    _ => handler = self.pick_dept(&mut vr, "business"),
                }
            }
            out.complaints.push(json!({"id": qid, "customer_id": cid, "received_at": fmt(recv),
                "channel": r.pick(&["phone", "email", "branch", "app"]),
                "subject": r.pick(&["赎回到账延迟", "营销电话过于频繁", "产品收益与宣传不符", "服务态度"]),
                "handled_by": handler, "responded_at": fmt(resp), "status": if r.chance(0.7) {"closed"} else {"responded"}}));
        }
        if self.prod.is_some() {
            self.prod_bundle(i, &b, c, &mut out);
        }
        out
    }
}

// ---------------------------------------------------------------- production profile

/// `hit_x` scales for CD433: only customers created before 2024-12-20 can
/// have a profile older than 365 days at as_of (about 34% of the judged).
const CD433_SCALE: f64 = 1.0 / 0.337;
/// CD446 judges marketing communications (about 41% of all); it is injected
/// only on communications without a consent in force (about 16% of all).
const CD446_SCALE: f64 = 0.41 / 0.16;
/// CD464 can only fire for customers whose tolerance is below C5 (8 of 9).
const CD464_SCALE: f64 = 9.0 / 8.0;
/// Dangling customer ids go on visits of customers without a contract only
/// (about a third of the visits), so that CD445 is not disturbed.
const VISIT_DANGLE_SCALE: f64 = 3.0;
/// Communications also get unknown channels in `Out`; dangling customer ids
/// (non-marketing contact with customers without a contract) add a little.
const COMM_DANGLE_SCALE: f64 = 0.6;

/// Removes a member, keeping the order of the others.
fn del(v: &mut Value, key: &str) {
    if let Some(o) = v.as_object_mut() {
        o.shift_remove(key);
    }
}

/// The inverse of `fmt` (`YYYY-MM-DDTHH:MM:SS+08:00` to local seconds).
fn unfmt(s: &str) -> i64 {
    let n = |a: usize, b: usize| s[a..b].parse::<i64>().unwrap();
    ts(n(0, 4), n(5, 7), n(8, 10), n(11, 13), n(14, 16)) + n(17, 19)
}

impl Ctx {
    /// Whether `rule` (its number) is broken on the record with ordinal
    /// `key` (1, 2, 3, ... in its collection): stratified, exactly one of
    /// every 1/rate consecutive records, at a phase hashed from seed and
    /// rule, so that rules do not pick the same records and even a
    /// collection of 30 records gets its share.
    fn hit(&self, rule: u64, key: u64) -> bool {
        self.hit_x(rule, key, 1.0)
    }
    /// `hit` where only about 1/scale of the judged records can take the
    /// injection.
    fn hit_x(&self, rule: u64, key: u64, scale: f64) -> bool {
        let Some(p) = &self.prod else { return false };
        let p = (p.rate * scale).min(1.0);
        let phase = Rng(mix(
            self.seed ^ rule.wrapping_mul(0x2545_F491_4F6C_DD1D),
            0x9A5E,
        ))
        .f();
        (key as f64 * p + phase).floor() != ((key as f64 - 1.0) * p + phase).floor()
    }
    fn prng(&self, salt: u64, key: u64) -> Rng {
        Rng(mix(
            self.seed ^ salt.wrapping_mul(0x9E6C_63D0_676A_9A99) ^ 0x5EED_5EED,
            key,
        ))
    }
    fn integ(&self) -> f64 {
        self.prod.as_ref().map_or(0.0, |p| p.integ)
    }
    /// A customer id that no record has (a deleted customer).
    fn gone_customer(&self, r: &mut Rng) -> String {
        format!("C{:0w$}", self.n + 1 + r.idx(self.n / 50 + 5), w = self.w)
    }
    /// Branch plans per year in the production profile.
    fn branch_plans(&self) -> usize {
        (self.n / 400).max(34)
    }
    /// An approved 2025 plan (approved in December 2024): a visit or event
    /// under it is never early.
    fn plan2025(&self, r: &mut Rng) -> String {
        let k = r.idx(self.branch_plans() + 2);
        match k {
            0 => "P2025-01".into(),
            1 => "P2025-02".into(),
            _ => format!("P2025-B{:03}", k - 1),
        }
    }

    /// The production profile's changes to one customer's bundle: injected
    /// violations (each rule on about `rate` of the records it judges) and
    /// the dangling references that only a bundle can place safely.
    fn prod_bundle(&self, i: usize, b: &Basics, c: &Counters, out: &mut Bundle) {
        let key = i as u64 + 1;
        let mut pr = self.prng(1, key);
        let signed_ok = b.contracted && !b.terminated;
        let owner = self.emp(b.owner).id.clone();
        // the ordinal of a record from its id (V00054 is the 54th visit)
        let ord = |v: &Value| -> u64 {
            v["id"]
                .as_str()
                .unwrap()
                .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .parse()
                .unwrap()
        };
        let kkey = c.contract as u64;
        let cust = &mut out.customer;
        let stage = cust["stage"].as_str().unwrap_or("").to_string();
        if self.hit(431, key) {
            cust["info_collected_at"] = json!(fmt(b.created - 2 * DAY - pr.range(0, 8 * 60) * MIN));
        }
        if signed_ok && self.hit(432, key) {
            let f = [
                "basic_info",
                "financial_status",
                "investment_preference",
                "risk_tolerance",
            ][pr.idx(4)];
            del(&mut cust["profile"], f);
        }
        if stage != "closed"
            && b.created < ts(2024, 12, 20, 0, 0)
            && self.hit_x(433, key, CD433_SCALE)
        {
            cust["profile_updated_at"] = json!(fmt(b.created + pr.range(3, 10) * DAY));
        }
        if self.hit(434, key) {
            match pr.idx(3) {
                0 => cust["data_classification"] = json!("internal"),
                1 => cust["data_classification"] = json!("public"),
                _ => del(cust, "data_classification"),
            }
        }
        if self.hit(521, key) {
            cust["acquisition_channel"] = json!(if pr.chance(0.5) {
                "purchased_list"
            } else {
                "scraped_data"
            });
        }
        if b.contracted && self.hit(462, kkey) {
            let k = &mut cust["kyc"];
            match pr.idx(3) {
                0 => k["verified_at"] = json!(fmt(b.signed + pr.range(1, 5) * DAY)),
                1 => del(k, "due_diligence_completed_at"),
                _ => {
                    k["status"] = json!("pending");
                    del(k, "verified_at");
                    del(k, "verified_by");
                    del(k, "due_diligence_completed_at");
                }
            }
        }
        if signed_ok && self.hit(445, key) {
            // no visit or communication in the 90 days before as_of
            let cut = ts(2025, 10, 2, 0, 0);
            out.visits.retain(|(t, _)| *t < cut);
            out.comms.retain(|(t, _)| *t < cut);
        }

        for (k, (at, v)) in out.visits.iter_mut().enumerate() {
            let vk = ord(v);
            let mut vr = self.prng(2, key << 8 | k as u64);
            if v.get("plan_id").is_some() {
                v["plan_id"] = json!(if self.hit(412, vk) {
                    "P2026-01".to_string()
                } else {
                    self.plan2025(&mut vr)
                });
            }
            if self.hit(441, vk) {
                match vr.idx(3) {
                    0 => v["preparation"] = json!({"background": "临时拜访"}),
                    1 => v["preparation"]["prepared_at"] = json!(fmt(*at + vr.range(1, 48) * HOUR)),
                    _ => del(v, "preparation"),
                }
            }
            if self.hit(442, vk) {
                match vr.idx(3) {
                    0 => v["recorded_at"] = json!(fmt(*at + vr.range(4, 12) * DAY)),
                    1 => del(
                        v,
                        if vr.chance(0.5) {
                            "summary"
                        } else {
                            "feedback"
                        },
                    ),
                    _ => del(v, "recorded_at"),
                }
            }
            if self.hit(444, vk) {
                let d = if vr.chance(0.7) {
                    "customer_service"
                } else {
                    "other"
                };
                v["employee_id"] = json!(self.pick_dept(&mut vr, d));
            }
            if !b.contracted && vr.chance(self.integ() * VISIT_DANGLE_SCALE) {
                v["customer_id"] = json!(self.gone_customer(&mut vr));
            }
        }

        // marketing_contact consents of this customer, as text (+08:00, so
        // that text order is time order)
        let mk: Vec<(String, Option<String>)> = out
            .consents
            .iter()
            .filter(|(_, v)| v["purpose"] == "marketing_contact")
            .map(|(_, v)| {
                (
                    v["granted_at"].as_str().unwrap().to_string(),
                    v["revoked_at"].as_str().map(String::from),
                )
            })
            .collect();
        let in_force = |t: &str| {
            mk.iter()
                .any(|(g, r)| g.as_str() <= t && r.as_deref().is_none_or(|r| r > t))
        };
        for (k, (at, v)) in out.comms.iter_mut().enumerate() {
            let mk_ = ord(v);
            let mut mr = self.prng(3, key << 8 | k as u64);
            if self.hit(443, mk_) {
                match mr.idx(3) {
                    0 => v["recorded_at"] = json!(fmt(*at + mr.range(4, 12) * DAY)),
                    1 => v["summary"] = Value::Null,
                    _ => del(v, "recorded_at"),
                }
            }
            let marketing = v["purpose"] == "marketing";
            if !marketing && !in_force(&fmt(*at)) && self.hit_x(446, mk_, CD446_SCALE) {
                v["purpose"] = json!("marketing");
                v["employee_id"] = json!(owner);
            } else if !marketing && !b.contracted && mr.chance(self.integ() * COMM_DANGLE_SCALE) {
                v["customer_id"] = json!(self.gone_customer(&mut mr));
            }
        }

        if let Some(k) = out.contracts.first_mut() {
            if self.hit(461, kkey) {
                k["signed_by"] = json!(self.pick_dept(&mut pr, "marketing"));
            }
            if self.hit(463, kkey) {
                match pr.idx(3) {
                    0 => {
                        k["risk_disclosure"]["disclosed_at"] =
                            json!(fmt(b.signed + pr.range(1, 72) * HOUR))
                    }
                    1 => k["risk_disclosure"]["acknowledged"] = json!(false),
                    _ => del(k, "risk_disclosure"),
                }
            }
            if b.tolerance < 5 && self.hit_x(464, kkey, CD464_SCALE) {
                let above: Vec<&Product> = self
                    .products
                    .iter()
                    .filter(|p| p.level > b.tolerance)
                    .collect();
                let p = *pr.pick(&above);
                k["products"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"product_id": p.id, "selected_by_customer": true}));
            }
            if self.hit(465, kkey) {
                k["products"][0]["selected_by_customer"] = json!(false);
            }
        }
        if let Some(a) = out.accounts.first_mut() {
            if self.hit(466, kkey) {
                let opened = unfmt(a["opened_at"].as_str().unwrap());
                match pr.idx(3) {
                    2 if c.contract > 1 => a["contract_id"] = json!(self.aid("T", c.contract - 1)),
                    1 => a["first_funded_at"] = json!(fmt(opened - pr.range(1, 48) * HOUR)),
                    _ => {
                        let early = b.signed - pr.range(1, 5) * DAY;
                        a["opened_at"] = json!(fmt(early));
                        a["first_funded_at"] = json!(fmt(early + pr.range(1, 120) * HOUR));
                    }
                }
            }
        }
        for (k, q) in out.complaints.iter_mut().enumerate() {
            let qk = ord(q);
            let mut qr = self.prng(4, key << 8 | k as u64);
            if qr.chance(0.3) {
                q["subject"] = json!(*qr.pick(&["App登录异常", "理财经理离职后无人跟进"]));
            }
            if self.hit(531, qk) {
                if qr.chance(0.7) {
                    let d = if qr.chance(0.6) {
                        "business"
                    } else {
                        "marketing"
                    };
                    q["handled_by"] = json!(self.pick_dept(&mut qr, d));
                } else {
                    del(q, "handled_by");
                }
            }
            if self.hit(532, qk) {
                let recv = unfmt(q["received_at"].as_str().unwrap());
                let late = recv + qr.range(16, 40) * DAY;
                if qr.chance(0.6) && late < as_of() {
                    q["responded_at"] = json!(fmt(late));
                } else {
                    del(q, "responded_at");
                    q["status"] = json!("open");
                }
            }
        }
    }
}

// ---------------------------------------------------------------- output

struct Out {
    document: bool,
    pretty: bool,
    root: PathBuf,
    doc: Option<Box<dyn Write>>,
    cur: Option<Box<dyn Write>>,
    months: BTreeMap<String, BufWriter<File>>,
    coll: String,
    activity: bool,
    first: bool,
    count: u64,
    stats: Vec<(String, u64)>,
    /// The production profile: compact lines, metadata last, findings.
    prod: Option<ProdOut>,
    meta: Vec<u8>,
    colls: usize,
}

fn render(v: &Value, pretty: bool, level: usize) -> Vec<u8> {
    if !pretty {
        return serde_json::to_vec(v).unwrap();
    }
    let s = serde_json::to_vec_pretty(v).unwrap();
    let pad = "  ".repeat(level);
    let mut o = Vec::with_capacity(s.len() + s.len() / 8);
    for b in s {
        o.push(b);
        if b == b'\n' {
            o.extend_from_slice(pad.as_bytes());
        }
    }
    o
}

impl Out {
    fn new(
        layout: &str,
        root: &Path,
        pretty: bool,
        gzip: bool,
        meta: &Value,
        prod: Option<ProdOut>,
    ) -> Out {
        let document = layout == "document";
        let mut o = Out {
            document,
            pretty,
            root: root.to_path_buf(),
            doc: None,
            cur: None,
            months: BTreeMap::new(),
            coll: String::new(),
            activity: false,
            first: true,
            count: 0,
            stats: vec![],
            prod: None,
            meta: vec![],
            colls: 0,
        };
        if document {
            if let Some(p) = root.parent() {
                if !p.as_os_str().is_empty() {
                    fs::create_dir_all(p).unwrap();
                }
            }
            let f = File::create(root).unwrap_or_else(|e| panic!("{}: {}", root.display(), e));
            let mut w: Box<dyn Write> = if gzip {
                Box::new(BufWriter::new(flate2::write::GzEncoder::new(
                    f,
                    flate2::Compression::default(),
                )))
            } else {
                Box::new(BufWriter::with_capacity(1 << 20, f))
            };
            if prod.is_some() {
                // the production profile: the metadata waits for the end
                assert!(!pretty);
                w.write_all(b"{").unwrap();
                o.meta = serde_json::to_vec(meta).unwrap();
                o.prod = prod;
            } else {
                w.write_all(b"{\n  \"export\": ").unwrap();
                w.write_all(&render(meta, pretty, 1)).unwrap();
            }
            o.doc = Some(w);
        } else {
            if gzip {
                eprintln!("--gzip applies to the document layout only");
                std::process::exit(2);
            }
            if root.exists() {
                fs::remove_dir_all(root).unwrap();
            }
            fs::create_dir_all(root).unwrap();
            let mut w = BufWriter::new(File::create(root.join("export.json")).unwrap());
            w.write_all(&render(meta, true, 0)).unwrap();
            w.write_all(b"\n").unwrap();
            w.flush().unwrap();
        }
        o
    }
    fn begin(&mut self, coll: &str, activity: bool) {
        self.coll = coll.to_string();
        self.activity = activity;
        self.first = true;
        self.count = 0;
        if self.prod.is_some() {
            let w = self.doc.as_mut().unwrap();
            let sep = if self.colls == 0 { "\n" } else { ",\n" };
            write!(w, "{}\"{}\": [", sep, coll).unwrap();
            self.colls += 1;
        } else if self.document {
            let w = self.doc.as_mut().unwrap();
            write!(w, ",\n  \"{}\": [", coll).unwrap();
        } else if !activity {
            let mut w: Box<dyn Write> = Box::new(BufWriter::with_capacity(
                1 << 20,
                File::create(self.root.join(format!("{}.json", coll))).unwrap(),
            ));
            w.write_all(b"[").unwrap();
            self.cur = Some(w);
        } else {
            fs::create_dir_all(self.root.join(coll)).unwrap();
        }
    }
    fn rec(&mut self, v: &Value, at: Option<i64>) {
        self.count += 1;
        let first = std::mem::replace(&mut self.first, false);
        if let Some(p) = self.prod.as_mut() {
            let mut v = v.clone();
            let mut r = Rng(mix(p.seed ^ fnv(&self.coll), self.count));
            p.taint(&self.coll, &mut v, &mut r);
            p.dress(&self.coll, &mut v, &mut r);
            let line = serde_json::to_vec(&v).unwrap();
            let w = self.doc.as_mut().unwrap();
            w.write_all(if first { b"\n" } else { b",\n" }).unwrap();
            w.write_all(&line).unwrap();
            if r.chance(p.dup) {
                // exported twice: the copy comes a few hundred records later
                let due = self.count + 1 + r.range(0, 400) as u64;
                p.later.push((due, line));
                *p.tally
                    .entry(format!("CD002 duplicate id: {}", self.coll))
                    .or_default() += 1;
            }
            while let Some(k) = p.later.iter().position(|(due, _)| *due <= self.count) {
                let (_, line) = p.later.swap_remove(k);
                w.write_all(b",\n").unwrap();
                w.write_all(&line).unwrap();
                self.count += 1;
            }
        } else if self.document {
            let w = self.doc.as_mut().unwrap();
            w.write_all(if first { b"\n    " } else { b",\n    " })
                .unwrap();
            w.write_all(&render(v, self.pretty, 2)).unwrap();
        } else if !self.activity {
            let w = self.cur.as_mut().unwrap();
            w.write_all(if first { b"\n  " } else { b",\n  " }).unwrap();
            w.write_all(&render(v, self.pretty, 1)).unwrap();
        } else {
            let m = month_label(at.unwrap());
            let root = &self.root;
            let coll = &self.coll;
            let w = self.months.entry(m.clone()).or_insert_with(|| {
                BufWriter::with_capacity(
                    1 << 18,
                    File::create(root.join(coll).join(format!("{}.ndjson", m))).unwrap(),
                )
            });
            serde_json::to_writer(&mut *w, v).unwrap();
            w.write_all(b"\n").unwrap();
        }
    }
    fn end(&mut self) {
        if let Some(p) = self.prod.as_mut() {
            let w = self.doc.as_mut().unwrap();
            for (_, line) in std::mem::take(&mut p.later) {
                w.write_all(if self.first { b"\n" } else { b",\n" })
                    .unwrap();
                w.write_all(&line).unwrap();
                self.first = false;
                self.count += 1;
            }
            w.write_all(if self.first { b"]" } else { b"\n]" }).unwrap();
        } else if self.document {
            let w = self.doc.as_mut().unwrap();
            w.write_all(if self.first { b"]" } else { b"\n  ]" })
                .unwrap();
        } else if !self.activity {
            let mut w = self.cur.take().unwrap();
            w.write_all(if self.first { b"]\n" } else { b"\n]\n" })
                .unwrap();
            w.flush().unwrap();
        } else {
            for (_, mut w) in std::mem::take(&mut self.months) {
                w.flush().unwrap();
            }
        }
        self.stats.push((self.coll.clone(), self.count));
    }
    fn finish(mut self) -> Vec<(String, u64)> {
        if let Some(p) = self.prod.take() {
            let w = self.doc.as_mut().unwrap();
            w.write_all(b",\n\"export\": ").unwrap();
            w.write_all(&self.meta).unwrap();
            let mut total = 0;
            for (k, n) in &p.tally {
                eprintln!("{:>60} {:>8}", k, n);
                total += n;
            }
            eprintln!(
                "{:>60} {:>8}",
                "integrity findings written (records)", total
            );
        }
        if let Some(mut w) = self.doc.take() {
            w.write_all(b"\n}\n").unwrap();
            w.flush().unwrap();
        }
        self.stats
    }
}

fn dir_size(p: &Path) -> u64 {
    if p.is_file() {
        return fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    }
    let mut s = 0;
    if let Ok(rd) = fs::read_dir(p) {
        for e in rd.flatten() {
            s += dir_size(&e.path());
        }
    }
    s
}

// ---------------------------------------------------------------- production profile: output

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// What the production profile does to each record as it is written:
/// integrity findings on fields no rule reads, valid variety in timestamps,
/// English or mixed text, and records exported twice.
struct ProdOut {
    seed: u64,
    integ: f64,
    dup: f64,
    gone_emps: Vec<String>,
    gone_custs: Vec<String>,
    /// copies waiting to be written: (record count at which, line)
    later: Vec<(u64, Vec<u8>)>,
    tally: BTreeMap<String, u64>,
}

const EN_SHARE: f64 = 0.30;
const MIXED_SHARE: f64 = 0.08;

impl ProdOut {
    fn new(ctx: &Ctx) -> ProdOut {
        let ew = ctx.emps[0].id.len() - 1;
        let ne = ctx.emps.len();
        let mut r = Rng(mix(ctx.seed, 0x60_0E));
        ProdOut {
            seed: ctx.seed,
            integ: ctx.integ(),
            dup: 0.001,
            gone_emps: (0..12)
                .map(|k| format!("E{:0w$}", ne + 1 + k, w = ew))
                .collect(),
            gone_custs: (0..200).map(|_| ctx.gone_customer(&mut r)).collect(),
            later: vec![],
            tally: BTreeMap::new(),
        }
    }

    /// At most one integrity finding per record, on about `integ` of them.
    fn taint(&mut self, coll: &str, v: &mut Value, r: &mut Rng) {
        let share = match coll {
            // no field here can be made unfit without changing a rule's
            // result (visits get dangling customers in the bundle instead)
            "employees" | "plans" | "products" | "trainings" | "visits" | "wechat_messages" => 0.0,
            // communications also get dangling customers in the bundle
            "communications" => 0.75,
            _ => 1.0,
        };
        if !r.chance(self.integ * share) {
            return;
        }
        fn no_offset(v: &mut Value) -> bool {
            match v.as_str() {
                Some(s) if s.len() == 25 && s.ends_with("+08:00") => {
                    *v = json!(s[..19].to_string());
                    true
                }
                _ => false,
            }
        }
        let gone_emp = self.gone_emps[r.idx(self.gone_emps.len())].clone();
        let what: &str = match coll {
            "customers" => match r.idx(5) {
                0 if no_offset(&mut v["created_at"]) => {
                    "CD001 timestamp without offset: customers.created_at"
                }
                1 if !matches!(
                    v["acquisition_channel"].as_str(),
                    Some("purchased_list" | "scraped_data")
                ) =>
                {
                    v["acquisition_channel"] =
                        json!(*r.pick(&["wechat", "WeChat", "地推", "Referral", "douyin_ads"]));
                    "CD001 unknown enum value: customers.acquisition_channel"
                }
                2 => {
                    v["type"] = json!(*r.pick(&["VIP", "Individual", "个人", "企业客户"]));
                    "CD001 unknown enum value: customers.type"
                }
                3 if v["kyc"].get("verified_by").is_some() => {
                    v["kyc"]["verified_by"] = json!(gone_emp);
                    "CD003 dangling reference: customers.kyc.verified_by"
                }
                _ => {
                    v["owner"] = json!(gone_emp);
                    "CD003 dangling reference: customers.owner"
                }
            },
            "consents" => {
                v["channel"] = json!(*r.pick(&["wechat", "email", "短信", "app"]));
                "CD001 unknown enum value: consents.channel"
            }
            "communications" => {
                v["channel"] =
                    json!(*r.pick(&["WeChat", "企业微信", "telephone", "app_push", "视频会议"]));
                "CD001 unknown enum value: communications.channel"
            }
            "events" => match r.idx(2) {
                0 if v.get("evaluation").is_some() => {
                    let f = if r.chance(0.5) { "attendees" } else { "leads" };
                    let n = v["evaluation"][f].as_i64().unwrap_or(0);
                    v["evaluation"][f] = json!(n.to_string());
                    "CD001 number as text: events.evaluation.attendees/leads"
                }
                _ => {
                    v["type"] = json!(*r.pick(&["roadshow", "路演", "webinar"]));
                    "CD001 unknown enum value: events.type"
                }
            },
            "contracts" => {
                v["products"][0]["product_id"] = json!(*r.pick(&["PR11", "PR12", "PR-OLD-07"]));
                "CD003 dangling reference: contracts.products.product_id"
            }
            "accounts" => {
                let funded_ok = v["first_funded_at"].as_str() >= v["opened_at"].as_str();
                if funded_ok && r.chance(0.5) && no_offset(&mut v["first_funded_at"]) {
                    "CD001 timestamp without offset: accounts.first_funded_at"
                } else {
                    v["opened_by"] = json!(gone_emp);
                    "CD003 dangling reference: accounts.opened_by"
                }
            }
            "complaints" => {
                if r.chance(0.5) {
                    v["status"] = json!(*r.pick(&["处理中", "pending", "escalated", "Closed"]));
                    "CD001 unknown enum value: complaints.status"
                } else {
                    v["customer_id"] = json!(self.gone_custs[r.idx(self.gone_custs.len())]);
                    "CD003 dangling reference: complaints.customer_id"
                }
            }
            "satisfaction_surveys" => {
                let n = v["respondents"].as_i64().unwrap_or(0);
                v["respondents"] = json!(n.to_string());
                "CD001 number as text: satisfaction_surveys.respondents"
            }
            "supervision_reviews" => {
                v["scope"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!(*r.pick(&["aml", "反洗钱"])));
                "CD001 unknown enum value: supervision_reviews.scope"
            }
            "regulator_findings" => {
                no_offset(&mut v["issued_at"]);
                "CD001 timestamp without offset: regulator_findings.issued_at"
            }
            "research_reports" => {
                v["methods"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!(*r.pick(&["focus_group", "问卷"])));
                "CD001 unknown enum value: research_reports.methods"
            }
            "assessments" if v.get("follow_up").is_some() => {
                no_offset(&mut v["follow_up"]["at"]);
                "CD001 timestamp without offset: assessments.follow_up.at"
            }
            "assessments" => {
                // "numbers as text" in a field the schema does not declare
                // would be no finding; the free-form period note is harmless
                return;
            }
            "data_transfers" => {
                v["sent_by"] = json!(gone_emp);
                "CD003 dangling reference: data_transfers.sent_by"
            }
            _ => return,
        };
        *self.tally.entry(what.to_string()).or_default() += 1;
    }

    /// Valid variety and language.
    fn dress(&mut self, coll: &str, v: &mut Value, r: &mut Rng) {
        // a date alone where 00:00 of that day judges the same
        let date_only: &[&str] = match coll {
            "customers" => &["created_at"],
            "employees" => &["joined_at"],
            "consents" => &["granted_at"],
            "research_reports" | "trainings" => &["completed_at"],
            "satisfaction_surveys" => &["conducted_at"],
            _ => &[],
        };
        for f in date_only {
            if let Some(s) = v.get(*f).and_then(Value::as_str) {
                if s.len() == 25 && r.chance(0.05) {
                    v[*f] = json!(s[..10].to_string());
                }
            }
        }
        let lang = r.f();
        let en = if lang < EN_SHARE {
            1.0
        } else if lang < EN_SHARE + MIXED_SHARE {
            0.5
        } else {
            0.0
        };
        walk_strings(v, &mut |s: &mut String| {
            if s.len() == 25 && s.as_bytes()[10] == b'T' && s.ends_with("+08:00") {
                let x = r.f();
                if x < 0.03 {
                    s.replace_range(10..11, "t");
                } else if x < 0.08 {
                    // the same instant in UTC
                    let t = unfmt(s) - 8 * HOUR;
                    let z = if x < 0.07 { "Z" } else { "z" };
                    *s = format!("{}{}", &fmt(t)[..19], z);
                }
            } else if en > 0.0 && !s.is_ascii() && (en >= 1.0 || r.chance(en)) {
                if let Some(e) = english(s) {
                    *s = e;
                }
            }
        });
    }
}

fn walk_strings(v: &mut Value, f: &mut dyn FnMut(&mut String)) {
    match v {
        Value::String(s) => f(s),
        Value::Array(a) => a.iter_mut().for_each(|x| walk_strings(x, f)),
        Value::Object(o) => o.values_mut().for_each(|x| walk_strings(x, f)),
        _ => {}
    }
}

// ---------------------------------------------------------------- English text

const PINYIN: &[(&str, &str)] = &[
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("黄", "Huang"),
    ("赵", "Zhao"),
    ("吴", "Wu"),
    ("周", "Zhou"),
    ("徐", "Xu"),
    ("孙", "Sun"),
    ("马", "Ma"),
    ("朱", "Zhu"),
    ("胡", "Hu"),
    ("郭", "Guo"),
    ("何", "He"),
    ("林", "Lin"),
    ("罗", "Luo"),
    ("高", "Gao"),
    ("伟", "Wei"),
    ("芳", "Fang"),
    ("娜", "Na"),
    ("敏", "Min"),
    ("静", "Jing"),
    ("丽", "Li"),
    ("强", "Qiang"),
    ("磊", "Lei"),
    ("军", "Jun"),
    ("洋", "Yang"),
    ("勇", "Yong"),
    ("艳", "Yan"),
    ("杰", "Jie"),
    ("娟", "Juan"),
    ("涛", "Tao"),
    ("明", "Ming"),
    ("超", "Chao"),
    ("秀英", "Xiuying"),
    ("霞", "Xia"),
    ("平", "Ping"),
    ("刚", "Gang"),
    ("桂英", "Guiying"),
    ("建华", "Jianhua"),
    ("文博", "Wenbo"),
    ("子涵", "Zihan"),
    ("思远", "Siyuan"),
    ("雨桐", "Yutong"),
    ("浩然", "Haoran"),
];

const EN_GIVEN: &[&str] = &[
    "Emily", "David", "Grace", "Kevin", "Lucy", "Michael", "Sophie", "Jason", "Vivian", "Tony",
];

const EN_WORDS: &[(&str, &str)] = &[
    // cities, firms, trades
    ("上海", "Shanghai"),
    ("北京", "Beijing"),
    ("深圳", "Shenzhen"),
    ("杭州", "Hangzhou"),
    ("苏州", "Suzhou"),
    ("南京", "Nanjing"),
    ("成都", "Chengdu"),
    ("武汉", "Wuhan"),
    ("广州", "Guangzhou"),
    ("宁波", "Ningbo"),
    ("恒信", "Hengxin"),
    ("瑞丰", "Ruifeng"),
    ("中和", "Zhonghe"),
    ("华远", "Huayuan"),
    ("博达", "Boda"),
    ("启明", "Qiming"),
    ("鼎盛", "Dingsheng"),
    ("泰和", "Taihe"),
    ("云帆", "Yunfan"),
    ("安泽", "Anze"),
    ("科技", "Technology"),
    ("贸易", "Trading"),
    ("制造", "Manufacturing"),
    ("物流", "Logistics"),
    ("医药", "Pharmaceutical"),
    ("新材料", "New Materials"),
    ("投资管理", "Investment Management"),
    ("餐饮", "Catering"),
    // roles, occupations, preferences
    ("总经理", "General Manager"),
    ("客户经理", "Account Manager"),
    ("理财顾问", "Wealth Advisor"),
    ("客服专员", "Customer Service Specialist"),
    ("合规专员", "Compliance Officer"),
    ("风控专员", "Risk Officer"),
    ("行政", "Administration"),
    ("教师", "Teacher"),
    ("工程师", "Engineer"),
    ("医生", "Doctor"),
    ("个体经营", "Self-employed"),
    ("公务员", "Civil servant"),
    ("自由职业", "Freelancer"),
    ("稳健增值", "Steady growth"),
    ("保本优先", "Capital preservation first"),
    ("长期配置", "Long-term allocation"),
    ("高收益成长", "High-yield growth"),
    ("流动性优先", "Liquidity first"),
    // visits
    (
        "客户背景与既有产品梳理",
        "Reviewed the client's background and existing holdings",
    ),
    ("资产配置", "Asset allocation"),
    ("养老规划", "Retirement planning"),
    ("子女教育金", "Children's education fund"),
    ("企业现金管理", "Corporate cash management"),
    ("上门拜访", "Home visit"),
    ("网点面谈", "Meeting at the branch"),
    ("陪同路演", "Joint roadshow"),
    ("介绍了稳健型理财产品", "Presented low-risk wealth products"),
    (
        "了解客户年度资金安排",
        "Discussed the client's cash plans for the year",
    ),
    ("讲解风险测评结果", "Explained the risk assessment result"),
    ("回访已购产品情况", "Follow-up on products already bought"),
    (
        "客户有兴趣,约定下次详谈",
        "Client interested, follow-up meeting booked",
    ),
    ("客户暂无需求", "No need at the moment"),
    ("客户希望收到产品资料", "Client asked for product brochures"),
    ("客户满意", "Client satisfied"),
    ("临时拜访", "Unplanned visit"),
    // communications
    (
        "电话回访,确认联系方式",
        "Call-back, contact details confirmed",
    ),
    ("发送产品说明书", "Sent the product prospectus"),
    ("解答赎回流程问题", "Answered questions on redemption"),
    (
        "邀请参加投资策略会",
        "Invited to the investment strategy seminar",
    ),
    ("已知悉", "Acknowledged"),
    ("客户表示感谢", "Client said thanks"),
    ("客户要求书面材料", "Client asked for written material"),
    // complaints
    ("赎回到账延迟", "Redemption proceeds arrived late"),
    ("营销电话过于频繁", "Too many marketing calls"),
    (
        "产品收益与宣传不符",
        "Returns differ from what was advertised",
    ),
    ("服务态度", "Staff attitude"),
    ("App登录异常", "Cannot log in to the app"),
    (
        "理财经理离职后无人跟进",
        "No follow-up after my advisor left",
    ),
    // events, plans, research
    ("新品发布会", "Product Launch"),
    ("投资策略会", "Investment Strategy Seminar"),
    ("客户答谢会", "Client Appreciation Evening"),
    ("社区金融讲座", "Community Finance Talk"),
    (
        "到场客户反馈良好,获取意向线索若干",
        "Good feedback from attendees, several leads collected",
    ),
    ("2025年度客户开发计划", "2025 Customer Development Plan"),
    ("2025年线上渠道专项计划", "2025 Online Channel Plan"),
    ("2026年度客户开发计划", "2026 Customer Development Plan"),
    ("存量客户深耕", "Deepen existing clients"),
    ("新客拓展", "New client acquisition"),
    ("养老金融推广", "Promote retirement finance"),
    ("企业客户开发", "Corporate client development"),
    ("客户回访", "Client call-backs"),
    ("产品路演", "Product roadshows"),
    ("社区讲座", "Community talks"),
    ("渠道合作", "Channel partnerships"),
    (
        "长三角高净值个人",
        "High-net-worth individuals in the Yangtze Delta",
    ),
    ("中小企业主", "SME owners"),
    ("转介绍激励", "Referral incentives"),
    ("线上精准营销", "Targeted online marketing"),
    (
        "利率下行周期中稳健型产品需求上升",
        "Demand for low-risk products rises as rates fall",
    ),
    (
        "新中产家庭与小微企业主为主要增量",
        "New middle-class families and small business owners drive growth",
    ),
    (
        "同业机构加大线上营销投入,费率竞争加剧",
        "Peers spend more on online marketing; fee competition is fiercer",
    ),
    // products
    ("货币增利", "Money Market Plus"),
    ("短债精选", "Short Bond Select"),
    ("稳健理财", "Steady Wealth"),
    ("固收增强", "Fixed Income Enhanced"),
    ("平衡配置", "Balanced Allocation"),
    ("红利优选", "Dividend Select"),
    ("成长精选", "Growth Select"),
    ("行业主题", "Sector Theme"),
    ("量化对冲", "Quant Hedge"),
    ("私募股权", "Private Equity"),
    ("理财", "Wealth management"),
    ("基金", "Fund"),
    // supervision, regulators, trainings, transfers
    ("未发现重大问题", "No material issue found"),
    (
        "个别回访记录补录不及时,已督促整改",
        "Some call-back records were entered late; corrected",
    ),
    ("营销话术符合要求", "Sales scripts comply"),
    (
        "客户信息调阅权限已复核",
        "Access rights to client data re-checked",
    ),
    ("国家金融监督管理总局上海监管局", "NFRA Shanghai Office"),
    ("中国人民银行上海总部", "PBOC Shanghai Head Office"),
    ("中国证监会上海监管局", "CSRC Shanghai Office"),
    (
        "客户风险测评问卷版本未及时更新",
        "Risk questionnaire version not updated in time",
    ),
    (
        "部分营销短信未提供退订方式",
        "Some marketing SMS lacked an opt-out",
    ),
    (
        "理财产品宣传材料风险揭示位置不醒目",
        "Risk disclosure not prominent in product leaflets",
    ),
    ("双录视频存在缺失", "Some sales recordings missing"),
    (
        "客户信息外发审批记录不完整",
        "Incomplete approvals for client data sent out",
    ),
    ("反洗钱与客户身份识别", "AML and customer due diligence"),
    ("金融消费者权益保护", "Financial consumer protection"),
    ("个人信息保护合规", "Personal information protection"),
    ("销售行为规范与适当性管理", "Sales conduct and suitability"),
    ("招商银行托管部", "CMB Custody Department"),
    ("中证登上海分公司", "CSDC Shanghai Branch"),
    (
        "某第三方基金销售平台",
        "A third-party fund distribution platform",
    ),
    ("资产托管与份额登记", "Custody and unit registration"),
    ("集团风险管理部", "Group Risk Management"),
    ("集团并表风险监测", "Group consolidated risk monitoring"),
    // wechat messages
    (
        "您好,请问产品资料收到了吗?",
        "Hi, did you get the product brochure?",
    ),
    ("收到,谢谢", "Got it, thanks"),
    ("下周二方便面谈吗?", "Are you free to meet next Tuesday?"),
    ("赎回什么时候到账?", "When will the redemption arrive?"),
    ("已为您预约网点", "Your branch appointment is booked"),
];

fn english(s: &str) -> Option<String> {
    use std::sync::OnceLock;
    static WORDS: OnceLock<std::collections::HashMap<&'static str, &'static str>> = OnceLock::new();
    let words = WORDS.get_or_init(|| EN_WORDS.iter().chain(PINYIN).copied().collect());
    let w = |x: &str| words.get(x).copied();
    if let Some(e) = w(s) {
        return Some(e.to_string());
    }
    // a person: surname (one character) and given name
    let mut cs = s.char_indices();
    if let Some((_, c0)) = cs.next() {
        let cut = c0.len_utf8();
        let (sur, given) = s.split_at(cut);
        if SURNAMES.contains(&sur) && GIVEN.contains(&given) {
            let h = fnv(s);
            return Some(if h.is_multiple_of(5) {
                format!(
                    "{} {}",
                    EN_GIVEN[(h / 5) as usize % EN_GIVEN.len()],
                    w(sur)?
                )
            } else {
                format!("{} {}", w(sur)?, w(given)?)
            });
        }
    }
    // a company: city, firm, trade, 有限公司
    if let Some(rest) = s.strip_suffix("有限公司") {
        let city = CITIES.iter().find(|c| rest.starts_with(**c))?;
        let rest = &rest[city.len()..];
        let firm = FIRMS.iter().find(|f| rest.starts_with(**f))?;
        let trade = &rest[firm.len()..];
        return Some(format!("{} {} {} Co., Ltd.", w(city)?, w(firm)?, w(trade)?));
    }
    // an event: city and kind
    for c in CITIES {
        if let Some(kind) = s.strip_prefix(c) {
            if let (Some(c), Some(k)) = (w(c), w(kind)) {
                return Some(format!("{} {}", c, k));
            }
        }
    }
    // 第3季度:新客拓展 / 3月重点:客户回访
    if let Some(rest) = s.strip_prefix("第") {
        let (q, focus) = rest.split_once("季度:")?;
        return Some(format!("Q{}: {}", q, w(focus)?));
    }
    if let Some((m, focus)) = s.split_once("月重点:") {
        return Some(format!("Month {} focus: {}", m, w(focus)?));
    }
    // 2025年第3季度市场调研报告
    if let Some(rest) = s.strip_suffix("季度市场调研报告") {
        let (y, q) = rest.split_once("年第")?;
        return Some(format!("{} Q{} Market Research Report", y, q));
    }
    // 上海分部2025年度客户开发计划
    if let Some(rest) = s.strip_suffix("年度客户开发计划") {
        let (c, y) = rest.split_once("分部")?;
        return Some(format!("{} Branch {} Customer Development Plan", w(c)?, y));
    }
    None
}

// ---------------------------------------------------------------- company-level data

fn build_ctx(seed: u64, n: usize, rate: f64, sample: bool, prod: Option<Prod>) -> Ctx {
    let mut r = Rng(mix(seed, 0xE0E0));
    // the production profile: enough front-line staff for CD511/CD622
    let ne = (n / 50).max(if prod.is_some() { 60 } else { 20 });
    let frac = [0.06, 0.25, 0.25, 0.15, 0.1, 0.1];
    let mins = [2usize, 5, 5, 3, 2, 2];
    let mut counts: Vec<usize> = frac
        .iter()
        .zip(mins)
        .map(|(f, m)| ((ne as f64 * f) as usize).max(m))
        .collect();
    let used: usize = counts.iter().sum();
    counts.push(ne.saturating_sub(used).max(1));
    let ew = (ne.to_string().len()).max(3);
    let mut emps = vec![];
    let mut by_dept: BTreeMap<&'static str, Vec<usize>> = BTreeMap::new();
    for (d, &cnt) in DEPTS.iter().zip(&counts) {
        for k in 0..cnt {
            let staff = matches!(*d, "marketing" | "business" | "customer_service");
            // the first of each department is a long-standing employee
            let joined = if !staff || k == 0 || r.chance(0.6) {
                work(&mut r, ts(2018, 3, 1, 0, 0), ts(2024, 11, 28, 0, 0))
            } else {
                work(&mut r, ts(2025, 1, 2, 0, 0), ts(2025, 10, 31, 0, 0))
            };
            let active =
                !(staff && k == cnt - 1 && k >= 3 && (*d == "marketing" || r.chance(0.05)));
            let idx = emps.len();
            emps.push(Emp {
                id: format!("E{:0w$}", idx + 1, w = ew),
                name: person(&mut r),
                dept: d,
                active,
                joined,
            });
            by_dept.entry(d).or_default().push(idx);
        }
    }
    let owners: Vec<usize> = emps
        .iter()
        .enumerate()
        .filter(|(_, e)| e.active && (e.dept == "marketing" || e.dept == "business"))
        .map(|(i, _)| i)
        .collect();
    let levels = [1u8, 1, 2, 2, 3, 3, 4, 4, 5, 5];
    let products = levels
        .iter()
        .enumerate()
        .map(|(k, &l)| Product {
            id: format!("PR{:02}", k + 1),
            level: l,
        })
        .collect();
    let w = n.to_string().len().max(4);
    let aw = (n * 8).to_string().len().max(5);
    let mut ctx = Ctx {
        seed,
        n,
        rate,
        prod,
        w,
        aw,
        emps,
        by_dept,
        owners,
        products,
        sample: None,
    };
    if sample {
        ctx.sample = Some(pick_targets(&ctx));
    }
    ctx
}

fn pick_targets(ctx: &Ctx) -> Targets {
    let mut used = BTreeSet::new();
    let mut find = |from: usize, f: &dyn Fn(&Basics) -> bool| -> usize {
        for i in from..ctx.n {
            if !used.contains(&i) && f(&ctx.basics(i)) {
                used.insert(i);
                return i;
            }
        }
        panic!("no customer fits a sample target");
    };
    let cd431 = find(5, &|b| !b.contracted);
    let cd445 = find(20, &|b| {
        b.contracted && !b.terminated && b.signed < ts(2025, 7, 1, 0, 0)
    });
    let cd446 = find(30, &|b| {
        !b.contracted && b.marketing_consent && b.created < ts(2025, 5, 1, 0, 0)
    });
    let cd463 = find(40, &|b| b.contracted && !b.terminated);
    let cd464 = find(50, &|b| b.contracted && !b.terminated && b.tolerance == 2);
    let cd442 = find(60, &|b| b.created < ts(2025, 10, 1, 0, 0));
    let cd532 = find(70, &|b| b.created < ts(2025, 9, 1, 0, 0));
    let cd521 = find(80, &|b| !b.contracted);
    let early = |d: &str| {
        ctx.by_dept[d]
            .iter()
            .copied()
            .find(|&e| ctx.emps[e].active && ctx.emps[e].joined < ts(2024, 10, 1, 0, 0))
            .unwrap()
    };
    let cd511_emp = early("marketing");
    let cd622_emp = early("business");
    Targets {
        cd431,
        cd442,
        cd445,
        cd446,
        cd463,
        cd464,
        cd521,
        cd532,
        cd511_emp,
        cd622_emp,
    }
}

struct Sample<'a> {
    t: Option<&'a Targets>,
    injected: Vec<Value>,
}

fn quarters() -> Vec<(i64, i64)> {
    vec![(2024, 4), (2025, 1), (2025, 2), (2025, 3), (2025, 4)]
}

/// Supervision reviews and regulator findings of the production profile,
/// scaled with the company so that CD611 and CD615 can fire on ~3%.
fn prod_reviews_and_findings(ctx: &Ctx, out: &mut Out) {
    let mut r = Rng(mix(ctx.seed, 0x5E_71E7));
    out.begin("supervision_reviews", false);
    let per_month = (ctx.n / 5000).max(3);
    let mut k = 0u64;
    let months: Vec<(i64, i64)> = std::iter::once((2024, 12))
        .chain((1..=12).map(|m| (2025, m)))
        .collect();
    for (y, m) in months {
        // CD613: in May 2025 no review covers data protection
        let gap = (y, m) == (2025, 5);
        let full: Vec<&str> = if gap {
            vec!["employee_conduct", "marketing_legality"]
        } else {
            vec!["employee_conduct", "data_protection", "marketing_legality"]
        };
        let extra = r.range(0, per_month as i64 + 1) as usize;
        for j in 0..per_month + extra {
            k += 1;
            let id = format!("SR{:04}", k);
            let at = work(&mut r, ts(y, m, 3, 0, 0), ts(y, m, 26, 0, 0));
            let mut reviewers = vec![
                ctx.pick_dept(&mut r, "compliance"),
                ctx.pick_dept(&mut r, "risk_management"),
            ];
            let scope: Vec<&str> = if j < per_month {
                full.clone()
            } else if gap {
                vec![*r.pick(&["employee_conduct", "marketing_legality", "other"])]
            } else {
                vec![*r.pick(&[
                    "employee_conduct",
                    "data_protection",
                    "marketing_legality",
                    "other",
                ])]
            };
            if ctx.hit(611, k) {
                match r.idx(3) {
                    0 => {
                        reviewers.pop();
                    }
                    1 => reviewers[1] = ctx.pick_dept(&mut r, "compliance"),
                    _ => reviewers.push(ctx.pick_dept(&mut r, "marketing")),
                }
            }
            out.rec(&json!({"id": id, "reviewed_at": fmt(at), "reviewers": reviewers, "scope": scope,
                "findings": r.pick(&["未发现重大问题", "个别回访记录补录不及时,已督促整改", "营销话术符合要求", "客户信息调阅权限已复核"])}), None);
        }
    }
    out.end();

    out.begin("regulator_findings", false);
    let nf = (ctx.n / 1000).max(34);
    for k in 0..nf {
        let key = k as u64 + 1;
        let id = format!("F{:04}", key);
        let issued = work(&mut r, ts(2025, 1, 6, 0, 0), ts(2025, 12, 10, 0, 0));
        let deadline = issued + r.range(45, 100) * DAY;
        let desc = *r.pick(&[
            "客户风险测评问卷版本未及时更新",
            "部分营销短信未提供退订方式",
            "理财产品宣传材料风险揭示位置不醒目",
            "双录视频存在缺失",
            "客户信息外发审批记录不完整",
        ]);
        let regulator = *r.pick(&[
            "国家金融监督管理总局上海监管局",
            "中国人民银行上海总部",
            "中国证监会上海监管局",
        ]);
        let mut v = json!({"id": id, "regulator": regulator, "issued_at": fmt(issued), "description": desc,
            "rectification_deadline": fmt(deadline)});
        let fixed = (deadline - r.range(3, 20) * DAY).max(issued + DAY);
        let feedback = fixed + r.range(1, 5) * DAY;
        let done = deadline < as_of() || (fixed < as_of() - 10 * DAY && r.chance(0.5));
        if ctx.hit(615, key) {
            match r.idx(3) {
                // rectified after the deadline, or not at all by as_of
                0 if deadline + 3 * DAY < as_of() => {
                    let late = deadline + r.range(3, 20) * DAY;
                    if late < as_of() - DAY {
                        v["rectified_at"] = json!(fmt(late));
                        v["feedback_reported_at"] = json!(fmt(late + DAY));
                    }
                }
                // rectified, feedback never reported or reported earlier
                1 => {
                    v["rectified_at"] = json!(fmt(fixed.min(as_of() - DAY)));
                }
                _ => {
                    v["rectified_at"] = json!(fmt(fixed.min(as_of() - DAY)));
                    v["feedback_reported_at"] = json!(fmt(fixed.min(as_of() - DAY) - 2 * DAY));
                }
            }
        } else if done && feedback < as_of() {
            v["rectified_at"] = json!(fmt(fixed));
            v["feedback_reported_at"] = json!(fmt(feedback));
        } else if deadline < as_of() {
            v["rectified_at"] = json!(fmt(fixed));
            v["feedback_reported_at"] = json!(fmt(fixed + HOUR));
        }
        out.rec(&v, None);
    }
    out.end();
}

fn generate(ctx: &Ctx, out: &mut Out, inj: &mut Sample) {
    let mut r = Rng(mix(ctx.seed, 0xC0C0));
    let mut vr = Rng(mix(ctx.seed ^ 0xBAD, 0xC0C0));
    let scale = (ctx.n / 1000).max(1);
    let t = inj.t;
    let mk = |r: &mut Rng| ctx.pick_dept(r, "marketing");

    // employees
    out.begin("employees", false);
    for e in &ctx.emps {
        let role = match e.dept {
            "senior_management" => "总经理",
            "marketing" => "客户经理",
            "business" => "理财顾问",
            "customer_service" => "客服专员",
            "compliance" => "合规专员",
            "risk_management" => "风控专员",
            _ => "行政",
        };
        out.rec(&json!({"id": e.id, "name": e.name, "department": e.dept, "role": role, "active": e.active, "joined_at": fmt(e.joined)}), None);
    }
    out.end();

    // plans
    out.begin("plans", false);
    let breakdown = |r: &mut Rng| {
        let q: Vec<Value> = (1..=4).map(|q| json!({"quarter": q, "focus": format!("第{}季度:{}", q, r.pick(&["存量客户深耕", "新客拓展", "养老金融推广", "企业客户开发"])), "owner": mk(r)})).collect();
        let m: Vec<Value> = (1..=12).map(|m| json!({"month": m, "focus": format!("{}月重点:{}", m, r.pick(&["客户回访", "产品路演", "社区讲座", "渠道合作"])), "owner": mk(r)})).collect();
        (q, m)
    };
    let plans = [
        (
            "P2025-01",
            2025,
            "2025年度客户开发计划",
            ts(2024, 11, 12, 10, 0),
            Some(ts(2024, 12, 20, 15, 0)),
            "executing",
            Some(ts(2025, 1, 2, 9, 0)),
        ),
        (
            "P2025-02",
            2025,
            "2025年线上渠道专项计划",
            ts(2024, 12, 5, 14, 0),
            Some(ts(2024, 12, 27, 11, 0)),
            "closed",
            Some(ts(2025, 2, 3, 9, 0)),
        ),
        (
            "P2026-01",
            2026,
            "2026年度客户开发计划",
            ts(2025, 11, 18, 10, 0),
            None,
            "submitted",
            None,
        ),
    ];
    for (id, year, title, created, approved, status, started) in plans {
        let (q, m) = breakdown(&mut r);
        let mut v = json!({"id": id, "year": year, "title": title, "created_by": mk(&mut r), "created_at": fmt(created),
            "targets": {"new_customers": ctx.n as i64 / 2 + 20, "revenue": 3.5e7},
            "key_markets": ["长三角高净值个人", "中小企业主"], "strategies": ["转介绍激励", "社区金融讲座", "线上精准营销"],
            "budget": {"amount": 1_200_000 + scale as i64 * 1000, "currency": "CNY"}, "quarters": q, "months": m});
        if let Some(a) = approved {
            v["approval"] = json!({"approved_by": ctx.pick_dept(&mut r, "senior_management"), "approved_at": fmt(a), "decision": "approved"});
        }
        v["status"] = json!(status);
        if let Some(s) = started {
            v["execution_started_at"] = json!(fmt(s));
        }
        out.rec(&v, None);
    }
    if ctx.prod.is_some() {
        // branch plans, so that each plan rule can fire on ~3% of the plans
        let mut pr = Rng(mix(ctx.seed, 0x9_1A45));
        for y in [2025i64, 2026] {
            for k in 1..=ctx.branch_plans() {
                let key = ((y - 2025) as usize * ctx.branch_plans() + k) as u64;
                let id = format!("P{}-B{:03}", y, k);
                let city = CITIES[k % CITIES.len()];
                let created = if ctx.hit(414, key) {
                    work(&mut pr, ts(y - 1, 7, 1, 0, 0), ts(y - 1, 9, 26, 0, 0))
                } else {
                    work(&mut pr, ts(y - 1, 10, 8, 0, 0), ts(y - 1, 11, 30, 0, 0))
                };
                let (mut q, mut m) = breakdown(&mut pr);
                if ctx.hit(416, key) {
                    match pr.idx(3) {
                        0 => m[pr.idx(12)]["focus"] = json!(""),
                        1 => {
                            q.remove(pr.idx(4));
                        }
                        _ => {
                            m.remove(pr.idx(12));
                        }
                    }
                }
                let author = if ctx.hit(417, key) {
                    ctx.pick_dept(&mut pr, "business")
                } else {
                    mk(&mut pr)
                };
                let mut v = json!({"id": id, "year": y, "title": format!("{}分部{}年度客户开发计划", city, y), "created_by": author,
                    "created_at": fmt(created),
                    "targets": {"new_customers": pr.range(80, 400), "revenue": pr.range(5, 60) as f64 * 1e6},
                    "key_markets": [*pr.pick(&["长三角高净值个人", "中小企业主"])], "strategies": ["转介绍激励", *pr.pick(&["社区金融讲座", "线上精准营销"])],
                    "budget": {"amount": pr.range(20, 300) * 10_000, "currency": "CNY"}, "quarters": q, "months": m});
                if ctx.hit(415, key) {
                    match pr.idx(4) {
                        0 => del(&mut v, "targets"),
                        1 => v["strategies"] = json!([]),
                        2 => del(&mut v, "budget"),
                        _ => v["budget"]["amount"] = json!(0),
                    }
                }
                if y == 2025 {
                    let approved = work(&mut pr, ts(2024, 12, 2, 0, 0), ts(2024, 12, 28, 0, 0));
                    let status = *pr.pick(&["executing", "executing", "approved", "closed"]);
                    let mut approver = ctx.pick_dept(&mut pr, "senior_management");
                    let mut started =
                        (status != "approved").then(|| approved + pr.range(2, 20) * DAY);
                    if ctx.hit(411, key) {
                        // still approved in December 2024, so that visits and
                        // events under the plan are not early
                        if pr.chance(0.5) {
                            approver = ctx.pick_dept(&mut pr, "marketing");
                        } else {
                            started = Some(approved - pr.range(2, 10) * DAY);
                        }
                    }
                    v["approval"] = json!({"approved_by": approver, "approved_at": fmt(approved), "decision": "approved"});
                    v["status"] = json!(if started.is_some() && status == "approved" {
                        "executing"
                    } else {
                        status
                    });
                    if let Some(s) = started {
                        v["execution_started_at"] = json!(fmt(s));
                    }
                } else {
                    v["status"] = json!(*pr.pick(&["draft", "submitted"]));
                }
                out.rec(&v, None);
            }
        }
    }
    out.end();

    // research reports
    out.begin("research_reports", false);
    let mut k = 0;
    let per_q = if ctx.prod.is_some() {
        (ctx.n / 2000).max(9)
    } else {
        1 + ctx.n / 100_000
    };
    for (y, q) in quarters() {
        if ctx.prod.is_some() && (y, q) == (2025, 2) {
            continue; // CD423 fails in one of the four ended quarters
        }
        for _ in 0..per_q {
            k += 1;
            let mo = (q - 1) * 3 + 2;
            let at = work(&mut r, ts(y, mo, 5, 0, 0), ts(y, mo, 25, 0, 0));
            let mut sections = json!({"trend_forecast": "利率下行周期中稳健型产品需求上升", "customer_segments": "新中产家庭与小微企业主为主要增量",
                "competitive_analysis": "同业机构加大线上营销投入,费率竞争加剧"});
            if ctx.v(&mut vr) {
                sections
                    .as_object_mut()
                    .unwrap()
                    .remove("competitive_analysis");
            }
            let mut by = mk(&mut r);
            if ctx.prod.is_some() {
                let mut pr = ctx.prng(5, k as u64);
                if ctx.hit(421, k as u64) {
                    let f = *pr.pick(&[
                        "trend_forecast",
                        "customer_segments",
                        "competitive_analysis",
                    ]);
                    del(&mut sections, f);
                }
                if ctx.hit(422, k as u64) {
                    by = ctx.pick_dept(&mut pr, "business");
                }
            }
            out.rec(&json!({"id": format!("R{:04}", k), "title": format!("{}年第{}季度市场调研报告", y, q), "conducted_by": by,
                "completed_at": fmt(at), "methods": ["survey", "interview", "data_platform"], "sections": sections}), None);
        }
    }
    out.end();

    // products
    out.begin("products", false);
    let pnames = [
        "货币增利",
        "短债精选",
        "稳健理财",
        "固收增强",
        "平衡配置",
        "红利优选",
        "成长精选",
        "行业主题",
        "量化对冲",
        "私募股权",
    ];
    for (p, nm) in ctx.products.iter().zip(pnames) {
        out.rec(&json!({"id": p.id, "name": nm, "risk_level": format!("R{}", p.level), "category": if p.level <= 2 {"理财"} else {"基金"}}), None);
    }
    out.end();

    // per-customer passes
    let pass = |out: &mut Out, coll: &str, activity: bool, inj: &mut Sample| {
        out.begin(coll, activity);
        let mut c = Counters::default();
        for i in 0..ctx.n {
            let b = ctx.bundle(i, &mut c);
            match coll {
                "customers" => {
                    out.rec(&b.customer, None);
                    inj.injected.extend(b.injected);
                }
                "consents" => b.consents.iter().for_each(|(t, v)| out.rec(v, Some(*t))),
                "visits" => b.visits.iter().for_each(|(t, v)| out.rec(v, Some(*t))),
                "communications" => b.comms.iter().for_each(|(t, v)| out.rec(v, Some(*t))),
                "contracts" => b.contracts.iter().for_each(|v| out.rec(v, None)),
                "accounts" => b.accounts.iter().for_each(|v| out.rec(v, None)),
                "complaints" => b.complaints.iter().for_each(|v| out.rec(v, None)),
                _ => unreachable!(),
            }
        }
        out.end();
    };
    pass(out, "customers", false, inj);
    pass(out, "consents", true, inj);

    // events
    out.begin("events", false);
    let ne = (ctx.n / 25).clamp(if ctx.prod.is_some() { 70 } else { 8 }, 5000);
    for k in 0..ne {
        let start = work(&mut r, ts(2025, 1, 10, 0, 0), ts(2026, 1, 20, 0, 0));
        let end = start + r.range(2, 8) * HOUR;
        let status = if end > ts(2025, 12, 1, 0, 0) {
            "planned"
        } else if r.chance(0.08) {
            "cancelled"
        } else {
            "completed"
        };
        let ty = *r.pick(&["product_launch", "seminar", "client_appreciation", "other"]);
        let mut v = json!({"id": format!("EV{:04}", k + 1), "name": format!("{}{}", r.pick(CITIES), match ty {"product_launch" => "新品发布会", "seminar" => "投资策略会", "client_appreciation" => "客户答谢会", _ => "社区金融讲座"}),
            "type": ty, "organized_by": mk(&mut r), "plan_id": "P2025-01", "starts_at": fmt(start), "ends_at": fmt(end), "status": status});
        let ek = k as u64 + 1;
        let mut pr = ctx.prng(6, ek);
        if ctx.prod.is_some() {
            v["plan_id"] = json!(if ctx.hit(413, ek) {
                "P2026-01".to_string()
            } else {
                ctx.plan2025(&mut pr)
            });
            if ctx.hit(452, ek) {
                v["organized_by"] = json!(ctx.pick_dept(&mut pr, "business"));
            }
        }
        let reviewer = if r.chance(0.7) {
            ctx.pick_dept(&mut r, "compliance")
        } else {
            ctx.pick_dept(&mut r, "risk_management")
        };
        let mut review = json!({"reviewed_by": reviewer, "reviewed_at": fmt(start - r.range(3, 15) * DAY), "outcome": "approved"});
        if status == "completed" {
            v["evaluation"] = json!({"completed_at": fmt(end + r.range(1, 20 * 24) * HOUR), "summary": "到场客户反馈良好,获取意向线索若干",
                "attendees": r.range(15, 120), "leads": r.range(1, 20)});
        }
        if ctx.v(&mut vr) {
            match vr.idx(2) {
                0 => review["outcome"] = json!("rejected"),
                _ => v["organized_by"] = json!(ctx.pick_dept(&mut vr, "business")),
            }
        }
        if status == "completed" && ctx.hit(451, ek) {
            match pr.idx(3) {
                0 => {
                    v["evaluation"]["completed_at"] =
                        json!(fmt((end + pr.range(31, 60) * DAY).min(as_of() - HOUR)))
                }
                1 => del(&mut v["evaluation"], "summary"),
                _ => del(&mut v, "evaluation"),
            }
        }
        if status != "cancelled" && ctx.hit(612, ek) {
            match pr.idx(4) {
                0 => review["outcome"] = json!("rejected"),
                1 => review["reviewed_by"] = json!(ctx.pick_dept(&mut pr, "marketing")),
                2 => review["reviewed_at"] = json!(fmt(start + pr.range(1, 48) * HOUR)),
                _ => review = Value::Null,
            }
        }
        if !review.is_null() {
            v["compliance_review"] = review;
        }
        out.rec(&v, None);
    }
    out.end();

    pass(out, "visits", true, inj);
    pass(out, "communications", true, inj);

    if ctx.prod.is_some() {
        // CD004: a collection the schema does not declare
        let mut pr = Rng(mix(ctx.seed, 0x3EC4A7));
        out.begin("wechat_messages", false);
        for k in 0..(ctx.n / 100).max(5) {
            let i = pr.idx(ctx.n);
            let b = ctx.basics(i);
            let at = work(&mut pr, b.created.max(ts(2025, 1, 2, 0, 0)), activity_end());
            out.rec(&json!({"id": format!("WX{:06}", k + 1), "customer_id": ctx.cid(i), "employee_id": ctx.emp(b.owner).id,
                "sent_at": fmt(at), "direction": *pr.pick(&["in", "out"]),
                "content": *pr.pick(&["您好,请问产品资料收到了吗?", "收到,谢谢", "下周二方便面谈吗?", "赎回什么时候到账?", "已为您预约网点"])}), None);
        }
        out.end();
    }
    pass(out, "contracts", false, inj);
    pass(out, "accounts", false, inj);
    pass(out, "complaints", false, inj);

    // satisfaction surveys
    out.begin("satisfaction_surveys", false);
    let mut k = 0;
    for (y, q) in quarters() {
        k += 1;
        let id = format!("S{:03}", k);
        if (t.is_some() || ctx.prod.is_some()) && (y, q) == (2025, 3) {
            if t.is_some() {
                inj.injected
                    .push(viol("CD614", "export", None, Some("2025-Q3")));
            }
            continue;
        }
        let mo = (q - 1) * 3 + 2;
        out.rec(&json!({"id": id, "conducted_at": fmt(work(&mut r, ts(y, mo, 1, 0, 0), ts(y, mo, 28, 0, 0))),
            "method": r.pick(&["questionnaire", "phone_callback"]), "respondents": r.range(30, 60) * scale as i64}), None);
    }
    out.end();

    // supervision reviews: monthly, 2024-12 .. 2025-12
    if ctx.prod.is_some() {
        prod_reviews_and_findings(ctx, out);
    } else {
        out.begin("supervision_reviews", false);
        let mut k = 0;
        let months: Vec<(i64, i64)> = std::iter::once((2024, 12))
            .chain((1..=12).map(|m| (2025, m)))
            .collect();
        for (y, m) in months {
            let extra = r.range(0, 2);
            for j in 0..=extra {
                k += 1;
                let id = format!("SR{:03}", k);
                let at = work(&mut r, ts(y, m, 3, 0, 0), ts(y, m, 26, 0, 0));
                let mut reviewers = vec![
                    ctx.pick_dept(&mut r, "compliance"),
                    ctx.pick_dept(&mut r, "risk_management"),
                ];
                let scope: Vec<&str> = if j == 0 {
                    vec!["employee_conduct", "data_protection", "marketing_legality"]
                } else {
                    vec![*r.pick(&[
                        "employee_conduct",
                        "data_protection",
                        "marketing_legality",
                        "other",
                    ])]
                };
                if t.is_some() && (y, m) == (2025, 5) && j == 0 {
                    let co = ctx.dept("compliance");
                    reviewers = vec![
                        ctx.emp(co[0]).id.clone(),
                        ctx.emp(co[1 % co.len()]).id.clone(),
                    ];
                    inj.injected
                        .push(viol("CD611", "supervision_reviews", Some(&id), None));
                } else if ctx.v(&mut vr) {
                    reviewers.pop();
                }
                out.rec(&json!({"id": id, "reviewed_at": fmt(at), "reviewers": reviewers, "scope": scope,
                "findings": r.pick(&["未发现重大问题", "个别回访记录补录不及时,已督促整改", "营销话术符合要求", "客户信息调阅权限已复核"])}), None);
            }
        }
        out.end();

        // regulator findings
        out.begin("regulator_findings", false);
        let findings = [
            (
                ts(2025, 3, 14, 10, 0),
                ts(2025, 5, 14, 18, 0),
                "客户风险测评问卷版本未及时更新",
            ),
            (
                ts(2025, 7, 8, 15, 0),
                ts(2025, 9, 30, 18, 0),
                "部分营销短信未提供退订方式",
            ),
            (
                ts(2025, 11, 20, 10, 0),
                ts(2026, 2, 28, 18, 0),
                "理财产品宣传材料风险揭示位置不醒目",
            ),
        ];
        for (k, (issued, deadline, desc)) in findings.iter().enumerate() {
            let id = format!("F{:03}", k + 1);
            let mut v = json!({"id": id, "regulator": "国家金融监督管理总局上海监管局", "issued_at": fmt(*issued), "description": desc,
            "rectification_deadline": fmt(*deadline)});
            if *deadline < as_of() {
                let mut fixed = deadline - r.range(3, 20) * DAY;
                if t.is_some() && k == 1 {
                    fixed = deadline + 10 * DAY;
                    inj.injected
                        .push(viol("CD615", "regulator_findings", Some(&id), None));
                }
                v["rectified_at"] = json!(fmt(fixed));
                v["feedback_reported_at"] = json!(fmt(fixed + r.range(1, 5) * DAY));
            }
            out.rec(&v, None);
        }
        out.end();
    }

    // assessments
    out.begin("assessments", false);
    let mut k = 0;
    let ended_months: Vec<(i64, i64)> = std::iter::once((2024, 12))
        .chain((1..=11).map(|m| (2025, m)))
        .collect();
    let ended_quarters = [(2024, 4), (2025, 1), (2025, 2), (2025, 3)];
    let aw = (ctx.emps.len() * 20).to_string().len().max(4);
    for (ei, e) in ctx.emps.iter().enumerate() {
        if !e.active || !matches!(e.dept, "marketing" | "business" | "customer_service") {
            continue;
        }
        let (jy, jm, _) = ymd(e.joined);
        let jq = (jm - 1) / 3 + 1;
        let mut periods: Vec<(&str, String)> = vec![];
        if jy <= 2024 {
            periods.push(("annual", "2024".into()));
        }
        for &(y, q) in &ended_quarters {
            if (y, q) >= (jy, jq) {
                periods.push(("quarterly", format!("{}-Q{}", y, q)));
            }
        }
        // CD622 in the production profile: one monthly assessment missing
        let skip622 = ctx
            .hit(622, ei as u64 + 1)
            .then_some(if (jy, jm) <= (2025, 7) {
                (2025, 7)
            } else {
                (jy, jm)
            });
        for &(y, m) in &ended_months {
            if (y, m) >= (jy, jm) {
                if t.is_some_and(|t| t.cd622_emp == ei) && (y, m) == (2025, 7) {
                    inj.injected
                        .push(viol("CD622", "employees", Some(&e.id), Some("2025-07")));
                    continue;
                }
                if skip622 == Some((y, m)) {
                    continue;
                }
                periods.push(("monthly", format!("{:04}-{:02}", y, m)));
            }
        }
        for (period, label) in periods {
            k += 1;
            let met = r.chance(0.8);
            let mut metrics = json!({"new_customers": r.range(0, 12), "quality": r.range(60, 100), "revenue": r.range(5, 200) * 10_000, "satisfaction": r.range(70, 100)});
            let mut v = json!({"id": format!("AS{:0w$}", k, w = aw), "employee_id": e.id, "period": period, "period_label": label, "met_target": met});
            let mut follow = if met {
                if r.chance(0.2) {
                    Some("recognition")
                } else {
                    None
                }
            } else {
                Some(*r.pick(&["performance_interview", "performance_interview", "pay_cut"]))
            };
            if ctx.v(&mut vr) {
                match vr.idx(2) {
                    0 => {
                        metrics.as_object_mut().unwrap().remove("quality");
                    }
                    _ => {
                        v["met_target"] = json!(false);
                        follow = Some("reward");
                    }
                }
            }
            if ctx.prod.is_some() {
                let mut pr = ctx.prng(7, k as u64);
                if ctx.hit(621, k as u64) {
                    let f = *pr.pick(&["new_customers", "quality", "revenue", "satisfaction"]);
                    del(&mut metrics, f);
                }
                if !met && ctx.hit(623, k as u64) {
                    follow = *pr.pick(&[Some("reward"), Some("recognition"), None]);
                }
            }
            v["metrics"] = metrics;
            if let Some(f) = follow {
                v["follow_up"] =
                    json!({"type": f, "at": fmt(ts(2026, 1, 1, 0, 0).min(as_of() - 2 * DAY))});
            }
            out.rec(&v, None);
        }
    }
    out.end();

    // trainings
    out.begin("trainings", false);
    let mut k = 0;
    let courses = [
        "反洗钱与客户身份识别",
        "金融消费者权益保护",
        "个人信息保护合规",
        "销售行为规范与适当性管理",
    ];
    for (ei, e) in ctx.emps.iter().enumerate() {
        let mut dates = vec![];
        if e.joined < ts(2024, 10, 1, 0, 0) {
            dates.push(work(&mut r, ts(2024, 10, 8, 0, 0), ts(2024, 11, 28, 0, 0)));
        }
        // CD511 in the production profile: no training in the last year
        let skip511 = e.active
            && matches!(e.dept, "marketing" | "business" | "customer_service")
            && ctx.hit(511, ei as u64 + 1);
        if t.is_none_or(|t| t.cd511_emp != ei) && !skip511 {
            dates.push(work(
                &mut r,
                e.joined.max(ts(2025, 2, 1, 0, 0)) + 7 * DAY,
                ts(2025, 12, 15, 0, 0),
            ));
        } else if t.is_some() {
            inj.injected
                .push(viol("CD511", "employees", Some(&e.id), None));
        }
        if !e.active {
            dates.retain(|&d| d < ts(2025, 1, 1, 0, 0));
        }
        for d in dates {
            k += 1;
            out.rec(&json!({"id": format!("TR{:04}", k), "employee_id": e.id, "course": r.pick(&courses), "completed_at": fmt(d)}), None);
        }
    }
    out.end();

    // data transfers
    out.begin("data_transfers", false);
    let nt = (ctx.n / 40).clamp(if ctx.prod.is_some() { 60 } else { 6 }, 50_000);
    let mut external_seen = 0;
    for k in 0..nt {
        let id = format!("DT{:05}", k + 1);
        let external = k % 3 != 0;
        let mut custs = vec![];
        let mut latest = ts(2025, 1, 2, 0, 0);
        let want = 1 + r.idx(4);
        let mut tries = 0;
        while custs.len() < want && tries < 200 {
            tries += 1;
            let i = r.idx(ctx.n);
            let b = ctx.basics(i);
            if external && !b.data_sharing {
                continue;
            }
            if b.created > ts(2025, 11, 1, 0, 0) {
                continue;
            }
            let cid = ctx.cid(i);
            if !custs.contains(&cid) {
                custs.push(cid);
                latest = latest.max(b.created + 2 * HOUR);
            }
        }
        if custs.is_empty() {
            continue;
        }
        let sent = work(&mut r, latest, ts(2025, 12, 15, 0, 0));
        let mut v =
            json!({"id": id, "sent_by": ctx.pick_dept(&mut r, "business"), "sent_at": fmt(sent)});
        if external {
            external_seen += 1;
            v["recipient"] =
                json!(r.pick(&["招商银行托管部", "中证登上海分公司", "某第三方基金销售平台"]));
            v["recipient_type"] = json!("external");
            let tk = external_seen as u64;
            let mut pr = ctx.prng(8, tk);
            if ctx.hit(436, tk) {
                // a customer without a data_sharing consent
                for _ in 0..64 {
                    let i = pr.idx(ctx.n);
                    let b = ctx.basics(i);
                    if !b.data_sharing
                        && b.created + 2 * HOUR < sent
                        && !custs.contains(&ctx.cid(i))
                    {
                        let at = pr.idx(custs.len() + 1);
                        custs.insert(at, ctx.cid(i));
                        break;
                    }
                }
            }
            v["customer_ids"] = json!(custs);
            let mut approver = ctx.pick_dept(&mut r, "compliance");
            if t.is_some() && external_seen == 2 {
                approver = mk(&mut r);
                inj.injected
                    .push(viol("CD435", "data_transfers", Some(&id), None));
            } else if ctx.v(&mut vr) {
                approver = ctx.pick_dept(&mut vr, "business");
            } else if ctx.hit(435, tk) {
                approver = if pr.chance(0.7) {
                    ctx.pick_dept(&mut pr, "business")
                } else {
                    String::new()
                };
            }
            v["approved_by"] = json!(approver);
            if approver.is_empty() {
                del(&mut v, "approved_by");
            }
            v["purpose"] = json!("资产托管与份额登记");
        } else {
            v["recipient"] = json!("集团风险管理部");
            v["recipient_type"] = json!("internal");
            v["customer_ids"] = json!(custs);
            v["purpose"] = json!("集团并表风险监测");
        }
        out.rec(&v, None);
    }
    out.end();
}

// ---------------------------------------------------------------- main

// The command line's settings, one argument each.
#[allow(clippy::too_many_arguments)]
fn run(
    seed: u64,
    n: usize,
    rate: f64,
    layout: &str,
    out_path: &Path,
    pretty: bool,
    gzip: bool,
    sample: bool,
    prod: Option<Prod>,
) -> Vec<Value> {
    // the production profile starts from the clean export
    let base_rate = if prod.is_some() { 0.0 } else { rate };
    let ctx = build_ctx(seed, n, base_rate, sample, prod);
    let meta = json!({"system": "FinCRM 6.2 (synthetic, comply examples/gen.rs)", "generated_at": "2026-01-01T02:00:00+08:00",
                      "as_of": fmt(as_of()), "timezone": "+08:00"});
    let prod_out = ctx.prod.as_ref().map(|_| ProdOut::new(&ctx));
    let mut out = Out::new(layout, out_path, pretty, gzip, &meta, prod_out);
    let mut inj = Sample {
        t: ctx.sample.as_ref(),
        injected: vec![],
    };
    generate(&ctx, &mut out, &mut inj);
    let stats = out.finish();
    let mut total = 0;
    for (c, k) in &stats {
        eprintln!("{:>22} {:>10}", c, k);
        total += k;
    }
    eprintln!(
        "{:>22} {:>10} records, {} bytes -> {} ({})",
        "total",
        total,
        dir_size(out_path),
        out_path.display(),
        layout
    );
    inj.injected
}

fn main() {
    let mut n = 1000usize;
    let mut seed = 1u64;
    let mut out: Option<PathBuf> = None;
    let mut layout = "document".to_string();
    let mut rate: Option<f64> = None;
    let mut integ = 0.0095f64;
    let mut production = false;
    let mut gzip = false;
    let mut pretty = false;
    let mut sample = false;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    let val = |i: &mut usize| -> String {
        *i += 1;
        args.get(*i).cloned().unwrap_or_else(|| {
            eprintln!("missing value for {}", args[*i - 1]);
            std::process::exit(2)
        })
    };
    while i < args.len() {
        match args[i].as_str() {
            "--customers" => n = val(&mut i).parse().expect("--customers N"),
            "--seed" => seed = val(&mut i).parse().expect("--seed S"),
            "--out" => out = Some(PathBuf::from(val(&mut i))),
            "--layout" => layout = val(&mut i),
            "--violations" => rate = Some(val(&mut i).parse().expect("--violations RATE")),
            "--integrity" => integ = val(&mut i).parse().expect("--integrity RATE"),
            "--production" => production = true,
            "--gzip" => gzip = true,
            "--pretty" => pretty = true,
            "--sample" => sample = true,
            "-h" | "--help" => {
                eprintln!("usage: gen --customers N [--seed S] [--out PATH] [--layout document|directory] [--violations RATE] [--gzip] [--pretty] | --sample");
                eprintln!("       gen --production --customers N [--seed S] [--out PATH] [--violations RATE (default 0.03)] [--integrity RATE (default 0.0095)] [--gzip]");
                return;
            }
            a => {
                eprintln!("unknown argument {}", a);
                std::process::exit(2);
            }
        }
        i += 1;
    }
    if layout != "document" && layout != "directory" {
        eprintln!("--layout must be document or directory");
        std::process::exit(2);
    }
    if sample {
        let fx = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let a = run(
            20251231,
            200,
            0.0,
            "directory",
            &fx.join("sample-export"),
            true,
            false,
            true,
            None,
        );
        let b = run(
            20251231,
            200,
            0.0,
            "document",
            &fx.join("sample-export.json"),
            true,
            false,
            true,
            None,
        );
        assert_eq!(a, b);
        let mut v = a;
        v.sort_by(|x, y| {
            let k = |v: &Value| {
                (
                    v["rule"].as_str().map(String::from),
                    v["id"].as_str().map(String::from),
                    v["key"].as_str().map(String::from),
                )
            };
            k(x).cmp(&k(y))
        });
        let mut f = BufWriter::new(File::create(fx.join("sample-export.expected.json")).unwrap());
        f.write_all(&render(&json!({"violations": v}), true, 0))
            .unwrap();
        f.write_all(b"\n").unwrap();
        eprintln!(
            "{} injected violations -> fixtures/sample-export.expected.json",
            v.len()
        );
        return;
    }
    if n == 0 {
        eprintln!("--customers must be > 0");
        std::process::exit(2);
    }
    let out = out.unwrap_or_else(|| {
        PathBuf::from(if layout == "document" {
            if gzip {
                "export.json.gz"
            } else {
                "export.json"
            }
        } else {
            "export"
        })
    });
    let prod = if production {
        if layout != "document" || pretty {
            eprintln!("--production writes one document, one compact record per line: no --layout directory, no --pretty");
            std::process::exit(2);
        }
        Some(Prod {
            rate: rate.unwrap_or(0.03),
            integ,
        })
    } else {
        None
    };
    run(
        seed,
        n,
        rate.unwrap_or(0.01),
        &layout,
        &out,
        pretty,
        gzip,
        false,
        prod,
    );
}
