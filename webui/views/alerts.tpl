% rebase('base.tpl', title=_('Alerts'))
% states = {"open": _("open"), "recovered": _("recovered"), "notice": _("notice")}
<h1>{{_("Alerts")}}</h1>
<p class="hint">{{_("What the box told its owner: open alerts first, then recovered ones and notices, newest first. One alert per cause until it recovers; raising it again only counts a repeat.")}}
{{_('Each is sent to every [alerts] URL.') if urls else _('No [alerts] urls are configured: alerts are only logged and listed here.')}}
{{_("Acknowledging says you have seen it; the box still tells of its recovery.")}}</p>
% if notice:
<p class="notice" id="notice">{{notice}}</p>
% end
% if error:
<p class="error" id="error">{{error}}</p>
% end
% if not rows.rows:
<p id="none">{{_("No alerts: the box has had nothing to tell.")}}</p>
% else:
<div class="scroll">
<table id="alerts">
<thead><tr><th>{{_("No.")}}</th><th>{{_("State")}}</th><th>{{_("Alert")}}</th><th>{{_("Raised")}}</th><th>{{_("Recovered")}}</th><th>{{_("Delivery")}}</th></tr></thead>
<tbody>
% for alert in rows.rows:
<tr data-id="{{alert.id}}" data-state="{{alert.state}}" class="alert-{{alert.state}}">
  <td>{{alert.id}}</td>
  <td class="alert-state">{{states.get(alert.state, alert.state)}}{{(' (' + _('seen') + ')') if alert.acknowledged else ''}}
    % if not alert.acknowledged:
    <form method="post" action="/admin/alerts/{{alert.id}}/ack" class="inline">
      <input type="hidden" name="csrf_token" value="{{csrf}}">
      <button type="submit">{{_("Acknowledge")}}</button>
    </form>
    % end
  </td>
  <td class="alert-text"><strong>{{title_of(alert)}}</strong>{{(': ' + about_of(alert)) if about_of(alert) else ''}}<br>
    {{message_of(alert)}}<br>
    <span class="advice">{{_("What you can do: {advice}").format(advice=advice_of(alert))}}</span></td>
  <td>{{when(alert.at)}}{{!'<br>' if alert.repeats else ''}}{{_('again {count}×, last {time}').format(count=alert.repeats, time=clock(alert.last_at)) if alert.repeats else ''}}</td>
  <td class="alert-recovery">{{when(alert.recovered_at)}}
    % if alert.recovered_at:
    <br><strong>{{recovered_of(alert)}}</strong>{{!'<br>' if alert.recovery else ''}}{{recovery_of(alert)}}
    % end
  </td>
  <td class="delivery">{{delivery(alert)}}</td>
</tr>
% end
</tbody>
</table>
</div>
% end
% include('pager.tpl', page=rows, link=link)
