% rebase('base.tpl', title=_('Webhooks'))
<h1>{{_("Webhooks")}}</h1>
<p class="hint">{{_("The box POSTs its events to these receivers, signed with each one's secret (never shown here), and retries until they answer 2xx (docs/webhooks.md). Configure them as [[webhook]] tables in callbox.toml.")}}</p>
% if notice:
<p class="notice" id="notice">{{notice}}</p>
% end
% if error:
<p class="error" id="error">{{error}}</p>
% end
% if not hooks:
<p id="no-webhooks">{{_("No [[webhook]] is configured: the box sends no events.")}}</p>
% else:
<div class="scroll">
<table id="webhooks">
<thead><tr><th>{{_("Name")}}</th><th>{{_("URL")}}</th><th>{{_("Events")}}</th><th>{{_("Timeout")}}</th><th>{{_("Retries after")}}</th>
<th>{{_("Pending")}}</th><th>{{_("Delivered")}}</th><th>{{_("Failed")}}</th></tr></thead>
<tbody>
% for hook in hooks:
<tr data-name="{{hook['name']}}"><td><a href="/admin/webhooks?webhook={{hook['name']}}">{{hook['name']}}</a></td>
<td>{{hook['url']}}</td><td>{{', '.join(hook['events'])}}</td><td>{{'%g' % hook['timeout']}} s</td>
<td>{{', '.join('%g' % wait for wait in hook['retry_backoff'])}} s</td>
<td>{{hook['pending']}}</td><td>{{hook['delivered']}}</td><td>{{hook['failed']}}</td></tr>
% end
</tbody>
</table>
</div>
% end
<h2>{{_("Deliveries")}}</h2>
% if not rows.rows:
<p id="no-deliveries">{{_("No deliveries yet.")}}</p>
% else:
<div class="scroll">
<table id="deliveries">
<thead><tr><th>{{_("No.")}}</th><th>{{_("Queued")}}</th><th>{{_("Webhook")}}</th><th>{{_("Event")}}</th><th>{{_("Event id")}}</th><th>{{_("State")}}</th>
<th>{{_("Tries")}}</th><th>{{_("Last status")}}</th><th>{{_("Last error")}}</th><th>{{_("Next try")}}</th><th>{{_("Delivered")}}</th><th></th></tr></thead>
<tbody>
% for row in rows.rows:
<tr data-id="{{row.id}}" data-state="{{row.state}}"><td>{{row.id}}</td><td>{{when(row.created_at)}}</td>
<td>{{row.webhook}}</td><td>{{row.event}}</td><td>{{row.event_id}}</td><td class="delivery-state">{{row.state}}</td>
<td>{{row.attempts}}</td><td>{{row.last_status or ''}}</td><td>{{row.last_error}}</td>
<td>{{when(row.next_attempt_at) if row.state == 'pending' else ''}}</td><td>{{when(row.delivered_at)}}</td>
<td>
  % if row.state == 'failed':
  <form method="post" action="/admin/webhooks/deliveries/{{row.id}}/retry" class="inline">
    <input type="hidden" name="csrf_token" value="{{csrf}}">
    <button type="submit">{{_("Retry")}}</button>
  </form>
  % end
</td></tr>
% end
</tbody>
</table>
</div>
% include('pager.tpl', page=rows, link=link)
% end
