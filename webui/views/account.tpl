% rebase('base.tpl', title='Account ' + account.name)
<h1>Account {{account.name}} <small>(number {{account.number or "none"}})</small></h1>
% if notice:
<p class="notice" id="notice">{{notice}}</p>
% end
<section class="card">
  <p>Balance <strong id="balance">{{money(account.balance)}}</strong>, held by running calls {{money(account.reserved)}}.</p>
  <p id="lock-state">
  % if account.locked:
    <strong class="error">Locked:</strong> the box takes no calls for this account.
  % else:
    Not locked.
  % end
  % if pin_locked:
    PIN entry is locked after wrong PINs until {{when(account.pin_locked_until)}}.
  % end
  </p>
  <form method="post" action="/admin/accounts/{{account.id}}/lock" class="inline">
    <input type="hidden" name="csrf_token" value="{{csrf}}">
    <input type="hidden" name="locked" value="{{'0' if account.locked else '1'}}">
    <button type="submit" id="lock">{{'Unlock' if account.locked else 'Lock'}}</button>
  </form>
</section>

% if pin_locks:
<h2>PIN entry locks</h2>
<p>Set off by wrong PINs or account numbers typed for this account (newest first).</p>
<div class="scroll">
<table id="pin-locks">
<thead><tr><th>When</th><th>Locked</th><th>Until</th><th>Why</th></tr></thead>
<tbody>
% for lock in pin_locks:
<tr><td>{{when(lock.at)}}</td>
  <td>{{'this account, from every number' if lock.scope == 'account' else 'calls and texts from ' + (lock.number or '')}}</td>
  <td>{{when(lock.until)}}</td><td>{{lock.reason}}</td></tr>
% end
</tbody>
</table>
</div>
% end

<h2>Calls at once</h2>
<form method="post" action="/admin/accounts/{{account.id}}/sessions" class="card">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label for="sessions">Calls this account may have running at once (1 to 100)</label>
  <input id="sessions" name="sessions" type="number" min="1" max="100" value="{{account.max_concurrent_sessions}}" inputmode="numeric">
  % if errors.get('sessions'):
  <p class="error" id="sessions-error">{{errors['sessions']}}</p>
  % end
  <button type="submit">Set</button>
</form>

<h2>PIN</h2>
<form method="post" action="/admin/accounts/{{account.id}}/pin" class="card">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label for="pin">New PIN (4 to 8 digits)</label>
  <input id="pin" name="pin" type="password" inputmode="numeric" autocomplete="off" maxlength="8">
  % if errors.get('pin'):
  <p class="error" id="pin-error">{{errors['pin']}}</p>
  % end
  <button type="submit">Set PIN</button>
</form>

<h2>Authorized caller IDs</h2>
% if errors.get('remove'):
<p class="error" id="remove-error">{{errors['remove']}}</p>
% end
<ul id="caller-ids">
% for item in caller_ids:
  <li>{{item}}
    <form method="post" action="/admin/accounts/{{account.id}}/callerids/remove" class="inline">
      <input type="hidden" name="csrf_token" value="{{csrf}}">
      <input type="hidden" name="number" value="{{item}}">
      <button type="submit">Remove</button>
    </form>
  </li>
% end
% if not caller_ids:
  <li>none</li>
% end
</ul>
<form method="post" action="/admin/accounts/{{account.id}}/callerids" class="card">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label for="number">Add a number (national or +international)</label>
  <input id="number" name="number" value="{{number}}" inputmode="tel" autocomplete="off" maxlength="40">
  % if errors.get('number'):
  <p class="error" id="number-error">{{errors['number']}}</p>
  % end
  <button type="submit">Authorize</button>
</form>

<h2>Top-ups and debits</h2>
<p class="hint">Top up from the <a href="/admin/accounts">accounts list</a>.</p>
<form method="post" action="/admin/accounts/{{account.id}}/debit" class="card" id="debit-form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label for="debit-amount">Debit: take an amount (never more than the account has free)</label>
  <input id="debit-amount" name="amount" inputmode="decimal" autocomplete="off" maxlength="20" placeholder="2.50">
  <label for="debit-reason">Reason (kept with the debit)</label>
  <input id="debit-reason" name="reason" autocomplete="off" maxlength="200" required>
  % if errors.get('debit'):
  <p class="error" id="debit-error">{{errors['debit']}}</p>
  % end
  <button type="submit">Debit</button>
</form>
<div class="scroll">
<table id="topups">
<thead><tr><th>When</th><th>Amount</th><th>By</th><th>Note</th></tr></thead>
<tbody>
% for topup in topups.rows:
<tr><td>{{when(topup.at)}}</td><td>{{money(topup.amount)}}</td><td>{{topup.by}}</td><td>{{topup.note}}</td></tr>
% end
</tbody>
</table>
</div>
% include('pager.tpl', page=topups, link=link)
