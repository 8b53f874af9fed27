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

struct Ctx {
    seed: u64,
    n: usize,
    rate: f64,
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
        out
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
    fn new(layout: &str, root: &Path, pretty: bool, gzip: bool, meta: &Value) -> Out {
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
            w.write_all(b"{\n  \"export\": ").unwrap();
            w.write_all(&render(meta, pretty, 1)).unwrap();
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
        if self.document {
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
        if self.document {
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
        if self.document {
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

// ---------------------------------------------------------------- company-level data

fn build_ctx(seed: u64, n: usize, rate: f64, sample: bool) -> Ctx {
    let mut r = Rng(mix(seed, 0xE0E0));
    let ne = (n / 50).max(20);
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
    out.end();

    // research reports
    out.begin("research_reports", false);
    let mut k = 0;
    for (y, q) in quarters() {
        for _ in 0..(1 + ctx.n / 100_000) {
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
            out.rec(&json!({"id": format!("R{:04}", k), "title": format!("{}年第{}季度市场调研报告", y, q), "conducted_by": mk(&mut r),
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
    let ne = (ctx.n / 25).clamp(8, 5000);
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
        v["compliance_review"] = review;
        out.rec(&v, None);
    }
    out.end();

    pass(out, "visits", true, inj);
    pass(out, "communications", true, inj);
    pass(out, "contracts", false, inj);
    pass(out, "accounts", false, inj);
    pass(out, "complaints", false, inj);

    // satisfaction surveys
    out.begin("satisfaction_surveys", false);
    let mut k = 0;
    for (y, q) in quarters() {
        k += 1;
        let id = format!("S{:03}", k);
        if t.is_some() && (y, q) == (2025, 3) {
            inj.injected
                .push(viol("CD614", "export", None, Some("2025-Q3")));
            continue;
        }
        let mo = (q - 1) * 3 + 2;
        out.rec(&json!({"id": id, "conducted_at": fmt(work(&mut r, ts(y, mo, 1, 0, 0), ts(y, mo, 28, 0, 0))),
            "method": r.pick(&["questionnaire", "phone_callback"]), "respondents": r.range(30, 60) * scale as i64}), None);
    }
    out.end();

    // supervision reviews: monthly, 2024-12 .. 2025-12
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
        for &(y, m) in &ended_months {
            if (y, m) >= (jy, jm) {
                if t.is_some_and(|t| t.cd622_emp == ei) && (y, m) == (2025, 7) {
                    inj.injected
                        .push(viol("CD622", "employees", Some(&e.id), Some("2025-07")));
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
        if t.is_none_or(|t| t.cd511_emp != ei) {
            dates.push(work(
                &mut r,
                e.joined.max(ts(2025, 2, 1, 0, 0)) + 7 * DAY,
                ts(2025, 12, 15, 0, 0),
            ));
        } else {
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
    let nt = (ctx.n / 40).clamp(6, 50_000);
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
            v["customer_ids"] = json!(custs);
            let mut approver = ctx.pick_dept(&mut r, "compliance");
            if t.is_some() && external_seen == 2 {
                approver = mk(&mut r);
                inj.injected
                    .push(viol("CD435", "data_transfers", Some(&id), None));
            } else if ctx.v(&mut vr) {
                approver = ctx.pick_dept(&mut vr, "business");
            }
            v["approved_by"] = json!(approver);
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
) -> Vec<Value> {
    let ctx = build_ctx(seed, n, rate, sample);
    let meta = json!({"system": "FinCRM 6.2 (synthetic, comply examples/gen.rs)", "generated_at": "2026-01-01T02:00:00+08:00",
                      "as_of": fmt(as_of()), "timezone": "+08:00"});
    let mut out = Out::new(layout, out_path, pretty, gzip, &meta);
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
    let mut rate = 0.01f64;
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
            "--violations" => rate = val(&mut i).parse().expect("--violations RATE"),
            "--gzip" => gzip = true,
            "--pretty" => pretty = true,
            "--sample" => sample = true,
            "-h" | "--help" => {
                eprintln!("usage: gen --customers N [--seed S] [--out PATH] [--layout document|directory] [--violations RATE] [--gzip] [--pretty] | --sample");
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
    run(seed, n, rate, &layout, &out, pretty, gzip, false);
}
