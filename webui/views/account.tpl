% rebase('base.tpl', title=_('Account {name}').format(name=account.name))
<h1>{{_("Account {name}").format(name=account.name)}} <small>({{_("number {number}").format(number=account.number or _("none"))}})</small></h1>
% if notice:
<p class="notice" id="notice">{{notice}}</p>
% end
<section class="card">
  <p>{{_("Balance")}} <strong id="balance">{{money(account.balance)}}</strong>, {{_("held by running calls {amount}.").format(amount=money(account.reserved))}}</p>
  <p id="lock-state">
  % if account.locked:
    <strong class="error">{{_("Locked:")}}</strong> {{_("the box takes no calls for this account.")}}
  % else:
    {{_("Not locked.")}}
  % end
  % if pin_locked:
    {{_("PIN entry is locked after wrong PINs until {time}.").format(time=when(account.pin_locked_until))}}
  % end
  </p>
  <form method="post" action="/admin/accounts/{{account.id}}/lock" class="inline">
    <input type="hidden" name="csrf_token" value="{{csrf}}">
    <input type="hidden" name="locked" value="{{'0' if account.locked else '1'}}">
    <button type="submit" id="lock">{{_('Unlock') if account.locked else _('Lock')}}</button>
  </form>
  % if errors.get('lock'):
  <p class="error" id="lock-error">{{errors['lock']}}</p>
  % end
</section>

% if pin_locks:
<h2>{{_("PIN entry locks")}}</h2>
<p>{{_("Set off by wrong PINs or account numbers typed for this account (newest first).")}}</p>
<div class="scroll">
<table id="pin-locks">
<thead><tr><th>{{_("When")}}</th><th>{{_("Locked")}}</th><th>{{_("Until")}}</th><th>{{_("Why")}}</th></tr></thead>
<tbody>
% for lock in pin_locks:
<tr><td>{{when(lock.at)}}</td>
  <td>{{_('this account, from every number') if lock.scope == 'account' else _('calls and texts from {number}').format(number=lock.number or '')}}</td>
  <td>{{when(lock.until)}}</td><td>{{lock.reason}}</td></tr>
% end
</tbody>
</table>
</div>
% end

<h2>{{_("Calls at once")}}</h2>
<form method="post" action="/admin/accounts/{{account.id}}/sessions" class="card">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label for="sessions">{{_("Calls this account may have running at once (1 to 100)")}}</label>
  <input id="sessions" name="sessions" type="number" min="1" max="100" value="{{account.max_concurrent_sessions}}" inputmode="numeric">
  % if errors.get('sessions'):
  <p class="error" id="sessions-error">{{errors['sessions']}}</p>
  % end
  <button type="submit">{{_("Set")}}</button>
</form>

<h2>{{_("Language")}}</h2>
<form method="post" action="/admin/accounts/{{account.id}}/language" class="card">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label for="language">{{_("The language its callers hear and its SMS replies are written in")}}</label>
  <select id="language" name="language">
    <option value="-"{{!' selected' if not account.language else ''}}>{{_("By the caller's number (else the box's: {code})").format(code=box_language)}}</option>
    % for code, name in voice_languages:
    <option value="{{code}}"{{!' selected' if account.language == code else ''}}>{{name}}</option>
    % end
  </select>
  % if errors.get('language'):
  <p class="error" id="language-error">{{errors['language']}}</p>
  % end
  <button type="submit">{{_("Set")}}</button>
</form>

<h2>{{_("PIN")}}</h2>
<form method="post" action="/admin/accounts/{{account.id}}/pin" class="card">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label for="pin">{{_("New PIN (4 to 8 digits)")}}</label>
  <input id="pin" name="pin" type="password" inputmode="numeric" autocomplete="off" maxlength="8">
  % if errors.get('pin'):
  <p class="error" id="pin-error">{{errors['pin']}}</p>
  % end
  <button type="submit">{{_("Set PIN")}}</button>
</form>

<h2>{{_("Authorized caller IDs")}}</h2>
% if errors.get('remove'):
<p class="error" id="remove-error">{{errors['remove']}}</p>
% end
<ul id="caller-ids">
% for item in caller_ids:
  <li>{{item}}
    <form method="post" action="/admin/accounts/{{account.id}}/callerids/remove" class="inline">
      <input type="hidden" name="csrf_token" value="{{csrf}}">
      <input type="hidden" name="number" value="{{item}}">
      <button type="submit">{{_("Remove")}}</button>
    </form>
  </li>
% end
% if not caller_ids:
  <li>{{_("none")}}</li>
% end
</ul>
<form method="post" action="/admin/accounts/{{account.id}}/callerids" class="card">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label for="number">{{_("Add a number (national or +international)")}}</label>
  <input id="number" name="number" value="{{number}}" inputmode="tel" autocomplete="off" maxlength="40">
  % if errors.get('number'):
  <p class="error" id="number-error">{{errors['number']}}</p>
  % end
  <button type="submit">{{_("Authorize")}}</button>
</form>

<h2>{{_("Top-ups and debits")}}</h2>
<p class="hint"><a href="/admin/accounts">{{_("Top up from the accounts list.")}}</a></p>
<form method="post" action="/admin/accounts/{{account.id}}/debit" class="card" id="debit-form">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label for="debit-amount">{{_("Debit: take an amount (never more than the account has free)")}}</label>
  <input id="debit-amount" name="amount" inputmode="decimal" autocomplete="off" maxlength="20" placeholder="2.50">
  <label for="debit-reason">{{_("Reason (kept with the debit)")}}</label>
  <input id="debit-reason" name="reason" autocomplete="off" maxlength="200" required>
  % if errors.get('debit'):
  <p class="error" id="debit-error">{{errors['debit']}}</p>
  % end
  <button type="submit">{{_("Debit")}}</button>
</form>
<div class="scroll">
<table id="topups">
<thead><tr><th>{{_("When")}}</th><th>{{_("Amount")}}</th><th>{{_("By")}}</th><th>{{_("Note")}}</th></tr></thead>
<tbody>
% for topup in topups.rows:
<tr><td>{{when(topup.at)}}</td><td>{{money(topup.amount)}}</td><td>{{topup.by}}</td><td>{{stored_word(topup.note)}}</td></tr>
% end
</tbody>
</table>
</div>
% include('pager.tpl', page=topups, link=link)
