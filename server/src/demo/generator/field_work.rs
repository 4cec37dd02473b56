//! The demo company's field work and service: visits, daily reports and tickets.

use rand::Rng;
use serde_json::json;
use yingxiao_core::domain::Collection;

use super::{Generator, World};

impl Generator {
    pub(super) fn visits(&mut self, world: &World) {
        let channels = ["visit", "phone", "wechat", "email", "meeting"];
        let summaries = [
            "检查门店陈列和库存，冰红茶缺货，约定本周补货。",
            "与采购沟通下季度订货计划，对方关注返利政策。",
            "介绍新品坚果礼盒，客户愿意先试销两个月。",
            "回访上月促销效果，销量提升明显，客户满意。",
            "处理对账差异，确认上月两笔退货已冲红。",
            "了解竞品动态：竞品本月在该渠道加大了陈列投入。",
        ];
        let next_steps = [
            "发送报价单",
            "安排试吃活动",
            "跟进回款",
            "提交陈列方案",
            "约见老板",
        ];
        for customer in &world.customers {
            if customer.is_store || !self.chance(35) {
                continue;
            }
            for _ in 0..self.range(1, 2) {
                let day = self.as_of.plus(-self.range(1, 60));
                let secs = self.office_hours();
                let channel = channels[self.weighted(&[50, 20, 20, 3, 7])];
                let summary = self.pick(&summaries);
                let next_step = self.chance(60).then(|| self.pick(&next_steps));
                let next_visit = self
                    .chance(50)
                    .then(|| day.plus(self.range(7, 21)).to_string());
                let id = self.id();
                self.add(
                    Collection::Visit,
                    &id,
                    json!({"customer_id": customer.id, "owner_id": customer.owner,
                        "visited_at": day.at(secs), "channel": channel, "summary": summary,
                        "next_step": next_step, "next_visit_on": next_visit}),
                );
            }
        }
    }

    /// Each rep's 日报 for the last five working days.
    pub(super) fn daily_reports(&mut self, world: &World) {
        let mut days = Vec::new();
        let mut day = self.as_of.plus(-1);
        while days.len() < 5 {
            if day.weekday() < 5 {
                days.push(day);
            }
            day = day.plus(-1);
        }
        let summaries = [
            "上午拜访两家商超，下午跟进经销商订单。",
            "走访片区门店，检查促销执行和陈列。",
            "与经销商核对库存，安排下周补货。",
            "参加区域周会，整理本周机会进展。",
        ];
        for area in &world.areas {
            for rep in &area.reps {
                for &day in &days {
                    let summary = self.pick(&summaries);
                    let problems = self.chance(25).then(|| {
                        self.pick(&[
                            "部分门店堆头被竞品占用。",
                            "经销商回款慢。",
                            "新品铺货率偏低。",
                        ])
                    });
                    let competitor = self
                        .chance(20)
                        .then(|| self.pick(&["竞品推出第二件半价。", "竞品增派促销员。"]));
                    let id = self.id();
                    let fields = json!({"author_id": rep, "unit_id": area.id,
                        "report_date": day.to_string(), "visits_count": self.range(2, 8),
                        "calls_count": self.range(3, 15), "new_opportunities": self.range(0, 2),
                        "summary": summary, "problems": problems,
                        "plan_tomorrow": "继续跟进重点客户，推进谈判中的机会。",
                        "competitor_notes": competitor});
                    self.add(Collection::DailyReport, &id, fields);
                }
            }
        }
    }

    /// Service tickets from the last four months and surveys after the resolved ones.
    pub(super) fn tickets(&mut self, world: &World) {
        let kinds = ["complaint", "repair", "return", "inquiry", "other"];
        let titles = [
            ["到货外箱破损", "饮料批次口感异常投诉", "送货延迟投诉"],
            ["门店冷柜不制冷", "堆头货架损坏", "冷柜压缩机异响"],
            ["临期产品退货", "错发货物换货", "包装漏液退货"],
            ["咨询返利政策", "咨询新品上市时间", "咨询发票开具"],
            ["门店物料补发", "更改送货地址", "对账单核对"],
        ];
        let count = (world.customers.len() / 25).max(3);
        for _ in 0..count {
            let customer = &world.customers[self.rng.gen_range(0..world.customers.len())];
            let area = &world.areas[customer.area];
            let agent = world.regions[area.region].service_agent.clone();
            let kind = self.weighted(&[30, 20, 20, 25, 5]);
            let age = self.range(1, 120);
            let opened = self.as_of.plus(-age);
            let opened_secs = self.office_hours();
            let status = if age > 20 {
                ["closed", "resolved"][self.weighted(&[70, 30])]
            } else if age >= 5 {
                ["resolved", "in_progress", "waiting_customer"][self.weighted(&[50, 30, 20])]
            } else {
                ["open", "in_progress"][self.weighted(&[50, 50])]
            };
            let resolved = matches!(status, "resolved" | "closed");
            // Resolved tickets are at least five days old, so they were resolved before the as-of day.
            let resolved_day = opened.plus(self.range(1, (age - 1).clamp(1, 10)));
            let resolved_secs = self.office_hours();
            let owner = (status != "open" || self.chance(50)).then_some(agent);
            let title = self.pick(&titles[kind]);
            let priority = ["low", "normal", "high", "urgent"][self.weighted(&[15, 55, 22, 8])];
            let id = self.id();
            self.add(
                Collection::Ticket,
                &id,
                json!({"customer_id": customer.id, "owner_id": owner, "unit_id": area.id,
                    "kind": kinds[kind], "priority": priority, "status": status, "title": title,
                    "description": format!("客户反映：{title}，请尽快处理。"),
                    "opened_at": opened.at(opened_secs),
                    "resolved_at": resolved.then(|| resolved_day.at(resolved_secs)),
                    "resolution": resolved.then_some("已与客户沟通并完成处理，客户确认。")}),
            );
            if resolved && self.chance(70) {
                let score = self.weighted(&[3, 5, 12, 40, 40]) as i64 + 1;
                let nps = (score * 2).min(10) - self.range(0, 1);
                let surveyed = resolved_day.plus(self.range(1, 3)).min(self.as_of);
                let comments = (score <= 3).then_some("处理速度还可以更快一些。");
                let survey = self.id();
                self.add(
                    Collection::Survey,
                    &survey,
                    json!({"customer_id": customer.id, "ticket_id": id, "unit_id": area.id,
                        "surveyed_on": surveyed.to_string(), "score": score, "nps": nps,
                        "comments": comments}),
                );
            }
        }
    }
}
